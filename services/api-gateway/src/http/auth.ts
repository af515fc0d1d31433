// Static token authentication (kube-apiserver's --token-auth-file CSV format):
//   token,user,uid,"group1,group2"
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { errors } from '@keelson/api';

export interface UserInfo {
  name: string;
  uid: string;
  groups: string[];
}

export class TokenAuthenticator {
  private readonly tokens = new Map<string, UserInfo>();

  static fromFile(path: string): TokenAuthenticator {
    return TokenAuthenticator.fromCsv(readFileSync(path, 'utf8'));
  }

  static fromCsv(csv: string): TokenAuthenticator {
    const auth = new TokenAuthenticator();
    for (const raw of csv.split('\n')) {
      const line = raw.trim();
      if (!line || line.startsWith('#')) continue;
      const fields = parseCsvLine(line);
      if (fields.length < 3 || !fields[0]) throw new Error(`token file: line needs token,user,uid: ${line}`);
      const groups = fields[3] ? fields[3].split(',').map((g) => g.trim()).filter(Boolean) : [];
      auth.tokens.set(fields[0], { name: fields[1], uid: fields[2], groups: [...groups, 'system:authenticated'] });
    }
    return auth;
  }

  /** Returns the user or throws 401; never says whether a token exists. */
  authenticate(req: IncomingMessage): UserInfo {
    const header = req.headers.authorization;
    const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    const user = m ? this.tokens.get(m[1]) : undefined;
    if (!user) throw errors.unauthorized();
    return user;
  }
}

function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out.map((f) => f.trim());
}
