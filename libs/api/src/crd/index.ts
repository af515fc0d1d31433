// The custom-resource schema engine: structural validation of CRD schemas, and validation,
// defaulting, pruning, CEL rules and printer columns for custom objects.
export * from './types';
export { applySchemaDefaults } from './defaulting';
export { pruneUnknownFields } from './pruning';
export { validateCustomValue } from './validate';
export { validateStructuralSchema } from './structural';
export { evaluateValidations, compileRule, CelCompileError } from './cel';
export { parseJsonPath, evaluateJsonPath, JsonPathError } from './jsonpath';
export { customResourcePrinter } from './printer-columns';
export {
  customResourceInfo,
  customResourceSchemaName,
  customResourceSchemas,
  customResourceStrategy,
  servedVersions,
  storageVersion,
  validateCustomObject,
} from './custom-resource-strategy';
export { customResourceScale, readPath, scaleOf, writePath, type ScalePaths } from './scale';
export { compareKubeVersions } from './version-priority';
