// authentication.k8s.io/v1 TokenRequest: the body and answer of `serviceaccounts/token`.
// Field names, types and required fields follow the Kubernetes API (descriptions shortened).

import type { SchemaNode } from './types';
import { obj, str, int64, ref, strArr, atomic, gvk, META } from './dsl';

const AUTHENTICATION = 'io.k8s.api.authentication.v1.';

export const AUTHENTICATION_SCHEMAS: Record<string, SchemaNode> = {
  [AUTHENTICATION + 'TokenRequest']: obj("TokenRequest requests a token for a given service account.", {
    apiVersion: str("APIVersion defines the versioned schema of this representation of an object."),
    kind: str("Kind is a string value representing the REST resource this object represents."),
    metadata: ref(META + 'ObjectMeta', "Standard object's metadata."),
    spec: ref(AUTHENTICATION + 'TokenRequestSpec', "Spec holds information about the request being evaluated"),
    status: ref(AUTHENTICATION + 'TokenRequestStatus', "Status is filled in by the server and indicates whether the token can be authenticated."),
  }, ['spec'], gvk('authentication.k8s.io', 'v1', 'TokenRequest')),
  [AUTHENTICATION + 'TokenRequestSpec']: obj("TokenRequestSpec contains client provided parameters of a token request.", {
    audiences: strArr("Audiences are the intendend audiences of the token. A recipient of a token must identify themself with an identifier in the list of audiences of the token, and otherwise should reject the token.", atomic),
    boundObjectRef: ref(AUTHENTICATION + 'BoundObjectReference', "BoundObjectRef is a reference to an object that the token will be bound to. The token will only be valid for as long as the bound object exists."),
    expirationSeconds: int64("ExpirationSeconds is the requested duration of validity of the request. The token issuer may return a token with a different validity duration so a client needs to check the 'expiration' field in a response."),
  }, ['audiences']),
  [AUTHENTICATION + 'TokenRequestStatus']: obj("TokenRequestStatus is the result of a token request.", {
    expirationTimestamp: ref(META + 'Time', "ExpirationTimestamp is the time of expiration of the returned token."),
    token: str("Token is the opaque bearer token."),
  }, ['token', 'expirationTimestamp']),
  [AUTHENTICATION + 'BoundObjectReference']: obj("BoundObjectReference is a reference to an object that a token is bound to.", {
    apiVersion: str("API version of the referent."),
    kind: str("Kind of the referent. Valid kinds are 'Pod' and 'Secret'."),
    name: str("Name of the referent."),
    uid: str("UID of the referent."),
  }),
};
