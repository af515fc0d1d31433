// CRD → TypeScript: the generated source names each schema construct as documented, and it
// type-checks against the SDK (compiled here with the TypeScript compiler API, strict).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { CodegenError, generateTypes, parseCrds } from '../src/codegen';

const CRD = `
apiVersion: v1
kind: ConfigMap
metadata: { name: not-a-crd }
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: { name: nodepools.autoscaling.example.com }
spec:
  group: autoscaling.example.com
  names: { kind: NodePool, plural: nodepools }
  scope: Cluster
  versions:
  - name: v1beta1
    served: true
    storage: false
    schema:
      openAPIV3Schema: { type: object, x-kubernetes-preserve-unknown-fields: true }
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        required: [spec]
        properties:
          spec:
            type: object
            description: "What the pool may do.\\nTwo lines."
            required: [min, max, provider]
            properties:
              min: { type: integer }
              max: { type: integer }
              provider: { type: string, enum: [simulated, process] }
              allocatable:
                type: object
                additionalProperties: { x-kubernetes-int-or-string: true }
              labels: { type: object, additionalProperties: { type: string } }
              taints:
                type: array
                items:
                  type: object
                  required: [key, effect]
                  properties:
                    key: { type: string }
                    value: { type: string, nullable: true }
                    effect: { type: string, enum: [NoSchedule, PreferNoSchedule, NoExecute] }
              template: { type: object, x-kubernetes-preserve-unknown-fields: true, properties: { name: { type: string } } }
              "weird-name": { type: boolean }
          status:
            type: object
            properties:
              nodes: { type: array, items: { type: string } }
              conditions:
                type: array
                items:
                  type: object
                  properties: { type: { type: string }, lastTransitionTime: { type: string, format: date-time } }
`;

describe('codegen', () => {
  const crds = parseCrds(CRD);
  const src = generateTypes(crds, { source: 'pool.yaml' });

  test('skips documents that are not CRDs and emits one set of types per served version', () => {
    expect(crds).toHaveLength(1);
    expect(src).toContain('export interface NodePoolV1 extends KubeObject');
    expect(src).toContain('export interface NodePoolV1beta1 extends KubeObject');
    expect(src).toContain('export const NODEPOOLS_V1 = { group: "autoscaling.example.com", version: "v1", resource: "nodepools", kind: "NodePool", namespaced: false };');
    expect(src).toContain('apiVersion: "autoscaling.example.com/v1";');
  });

  test('maps each schema construct', () => {
    expect(src).toMatch(/spec: NodePoolV1Spec;/); // required at the top
    expect(src).toMatch(/status\?: NodePoolV1Status;/);
    expect(src).toMatch(/\n {2}min: number;\n {2}max: number;\n {2}provider: "simulated" \| "process";/);
    expect(src).toContain('allocatable?: Record<string, number | string>;');
    expect(src).toContain('labels?: Record<string, string>;');
    expect(src).toContain('taints?: NodePoolV1SpecTaintsItem[];');
    expect(src).toMatch(/export type NodePoolV1SpecTaintsItem = \{\n {2}key: string;\n {2}value\?: string \| null;\n {2}effect: "NoSchedule" \| "PreferNoSchedule" \| "NoExecute";\n\};/);
    expect(src).toMatch(/export type NodePoolV1SpecTemplate = \{\n {2}name\?: string;\n {2}\[key: string\]: unknown;\n\};/);
    expect(src).toContain('"weird-name"?: boolean;');
    expect(src).toContain('/**\n * What the pool may do.\n * Two lines.\n */\nexport type NodePoolV1Spec');
  });

  test('the generated file type-checks against the SDK, and objects of it are KubeObjects', () => {
    const dir = mkdtempSync(join(tmpdir(), 'codegen-'));
    try {
      const sdk = resolve(__dirname, '../src/index.ts');
      writeFileSync(join(dir, 'types.ts'), generateTypes(crds, { importFrom: sdk.replace(/\.ts$/, '') }));
      writeFileSync(join(dir, 'use.ts'), [
        `import type { KubeObject } from ${JSON.stringify(sdk.replace(/\.ts$/, ''))};`,
        `import { NODEPOOLS_V1, type NodePoolV1 } from './types';`,
        `const pool: NodePoolV1 = { apiVersion: 'autoscaling.example.com/v1', kind: 'NodePool', metadata: { name: 'p' },`,
        `  spec: { min: 0, max: 3, provider: 'simulated', allocatable: { cpu: '4', pods: 110 }, taints: [{ key: 'k', value: null, effect: 'NoSchedule' }] } };`,
        `const asKube: KubeObject = pool;`,
        `export const used = [asKube, NODEPOOLS_V1.resource];`,
        `// @ts-expect-error provider is an enum`,
        `export const bad: NodePoolV1['spec'] = { min: 0, max: 1, provider: 'cloud' };`,
      ].join('\n'));
      const program = ts.createProgram([join(dir, 'use.ts')], { strict: true, noEmit: true, module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16, target: ts.ScriptTarget.ES2022, types: ['node'], skipLibCheck: true, esModuleInterop: true });
      const diags = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      expect(diags).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('refuses input without a CRD, and a CRD without names', () => {
    expect(() => parseCrds('apiVersion: v1\nkind: ConfigMap\n')).toThrow(CodegenError);
    expect(() => parseCrds('kind: CustomResourceDefinition\nmetadata: { name: x }\nspec: { group: g.io, versions: [] }\n')).toThrow(/spec.names.kind/);
  });
});
