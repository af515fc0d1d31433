// Server-side apply and managedFields: field sets in their FieldsV1 form, schema-driven walks
// of objects, and the field manager that keeps metadata.managedFields on every write.
export * from './path-element';
export * from './field-set';
export * from './typed-schema';
export * from './typed-value';
export * from './managed-entries';
export * from './field-manager';
