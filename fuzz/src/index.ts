export { runFuzz, prepare, type FuzzOptions, type FuzzResult, type Violation } from './fuzzer';
export { requestArbitrary, EXPECTED_CODES, type FuzzRequest, type FuzzContext } from './requests';
export { answerProblems, type Answer } from './invariants';
export { Findings, GATEWAY_DEFECTS, type Finding, type FindingCategory } from './findings';
export { RESOURCES, WIDGET_CRD } from './resources';
