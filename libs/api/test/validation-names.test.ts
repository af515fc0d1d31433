import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue, nameValidatorFor, validateGenerateName } from '../src/validation/names';

describe('name syntax (apimachinery messages)', () => {
  it('accepts valid DNS-1123 labels and subdomains', () => {
    expect(isDNS1123Label('my-name')).toEqual([]);
    expect(isDNS1123Label('123-abc')).toEqual([]);
    expect(isDNS1123Subdomain('example.com')).toEqual([]);
  });

  it('rejects an upper-case label with the exact Kubernetes regex message', () => {
    expect(isDNS1123Label('My_Name')).toEqual([
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    ]);
  });

  it('says "must not contain dots" for a subdomain used as a label', () => {
    expect(isDNS1123Label('a.b')).toEqual(['must not contain dots']);
  });

  it('reports both length and regex for a long invalid subdomain', () => {
    const errs = isDNS1123Subdomain('A'.repeat(254));
    expect(errs[0]).toBe('must be no more than 253 characters');
    expect(errs[1]).toBe(
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    );
  });

  it('validates qualified names with prefix and name parts', () => {
    expect(isQualifiedName('app.kubernetes.io/name')).toEqual([]);
    expect(isQualifiedName('/name')).toEqual(['prefix part must be non-empty']);
    expect(isQualifiedName('example.com/')).toEqual([
      'name part must be non-empty',
      "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    ]);
    expect(isQualifiedName('a/b/c')[0]).toMatch(/^a qualified name must consist of .* with an optional DNS subdomain prefix and '\/' \(e.g. 'example.com\/MyName'\)$/);
    expect(isQualifiedName('Bad_Prefix/x')[0]).toMatch(/^prefix part a lowercase RFC 1123 subdomain/);
  });

  it('accepts empty label values and rejects bad ones', () => {
    expect(isValidLabelValue('')).toEqual([]);
    expect(isValidLabelValue('v1.2_3')).toEqual([]);
    expect(isValidLabelValue('-bad')).toEqual([
      "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
    ]);
    expect(isValidLabelValue('a'.repeat(64))).toEqual(['must be no more than 63 characters']);
  });

  it('picks label rules for namespaces and subdomain rules for the rest', () => {
    expect(nameValidatorFor('namespaces')('a.b')).toEqual(['must not contain dots']);
    expect(nameValidatorFor('pods')('a.b')).toEqual([]);
    expect(nameValidatorFor('deployments')('web')).toEqual([]);
  });

  it('allows a trailing dash in generateName', () => {
    expect(validateGenerateName(isDNS1123Subdomain, 'web-')).toEqual([]);
    expect(validateGenerateName(isDNS1123Subdomain, 'Web-')).not.toEqual([]);
  });
});
