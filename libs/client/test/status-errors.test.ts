// Classifying API errors by their Status reason (apimachinery's IsNotFound and friends).
import { ApiError, errors } from '@keelson/api';
import { isAlreadyExists, isConflict, isForbidden, isInvalid, isNotFound, messageOf } from '@keelson/client';

test('the Status reason decides', () => {
  expect(isNotFound(errors.notFound('pods', 'p'))).toBe(true);
  expect(isConflict(errors.conflict('pods', 'p', 'the object has been modified'))).toBe(true);
  expect(isAlreadyExists(errors.alreadyExists('pods', 'p'))).toBe(true);
  expect(isInvalid(new ApiError(422, 'Invalid', 'Pod "p" is invalid'))).toBe(true);
  expect(isForbidden(errors.forbidden('no'))).toBe(true);
});

test('AlreadyExists is a 409 but not a Conflict, and a Conflict is not AlreadyExists', () => {
  expect(isConflict(errors.alreadyExists('pods', 'p'))).toBe(false);
  expect(isAlreadyExists(errors.conflict('pods', 'p', 'x'))).toBe(false);
});

test('the code counts only when the answer carried no specific reason', () => {
  expect(isNotFound(new ApiError(404, 'InternalError', '<html>not here</html>'))).toBe(true);
  expect(isConflict(new ApiError(409, 'InternalError', 'HTTP 409'))).toBe(true);
  expect(isNotFound(new ApiError(404, 'MethodNotAllowed', 'x'))).toBe(false);
  expect(isNotFound(new ApiError(500, 'InternalError', 'etcd unavailable'))).toBe(false);
});

test('anything that is not an ApiError is none of these', () => {
  const plain = Object.assign(new Error('not found'), { code: 404 });
  expect([isNotFound, isConflict, isAlreadyExists, isInvalid, isForbidden].map((f) => f(plain))).toEqual([false, false, false, false, false]);
  expect(messageOf(plain)).toBe('not found');
  expect(messageOf('text')).toBe('text');
});
