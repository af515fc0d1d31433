// Public surface of validation: name syntax, schema checks, and per-kind rules.

export {
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
  isConfigMapKey,
  isValidPortName,
  isValidPortNum,
  nameValidatorFor,
  validateGenerateName,
} from './names';
export { isPathSegmentName } from './network-names';
export { validateAgainstSchema } from './schema-validator';
export type { SchemaValidationResult, UnknownFieldPolicy } from './schema-validator';
export { validateObject } from './objects';
export { dropUnknownFields } from './unknown-fields';
export type { UnknownFieldsResult } from './unknown-fields';
export type { ValidateOptions, ValidationResult } from './objects';
export { selectorMatches, validateLabelSelector, validateLabels, validateAnnotations } from './metadata';
