import { test } from 'node:test';
import assert from 'node:assert/strict';

import { compileCel } from '../index.js';

// Cases and messages from k8s.io/apiserver/pkg/cel/library/format_test.go.

const run = (expression: string): unknown => compileCel(expression, { variables: [] }).evaluate({});

const LABEL_ERR =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const SUBDOMAIN_ERR =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const DNS1035_ERR =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const QUALIFIED_ERR =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE_ERR =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

test('valid values give none', () => {
  for (const e of [
    'format.dns1123Label().validate("my-label-name")',
    'format.dns1123Subdomain().validate("apiextensions.k8s.io")',
    'format.qualifiedName().validate("apiextensions.k8s.io/v1beta1")',
    'format.qualifiedName().validate("my.name")',
    'format.dns1123LabelPrefix().validate("my-label-prefix-")',
    'format.dns1123SubdomainPrefix().validate("mysubdomain.prefix.-")',
    'format.dns1035LabelPrefix().validate("my-label-prefix-")',
    'format.dns1035Label().validate("my-label-name")',
    'format.uri().validate("http://example.com")',
    'format.uuid().validate("123e4567-e89b-12d3-a456-426614174000")',
    'format.byte().validate("aGVsbG8=")',
    'format.date().validate("2021-01-01")',
    'format.datetime().validate("2021-01-01T00:00:00Z")',
    'format.labelValue().validate("my-cool-label-Value")',
    'format.labelValue().validate("")',
  ]) {
    assert.equal(run(`${e}.hasValue()`), false, e);
  }
});

test('invalid values give the Kubernetes error messages', () => {
  assert.deepEqual(run('format.dns1123Label().validate("contains a space")'), [LABEL_ERR]);
  assert.deepEqual(run('format.dns1123Subdomain().validate("contains a space")'), [SUBDOMAIN_ERR]);
  assert.deepEqual(run('format.dns1035Label().validate("contains a space")'), [DNS1035_ERR]);
  assert.deepEqual(run('format.qualifiedName().validate("contains a space")'), [QUALIFIED_ERR]);
  assert.deepEqual(run('format.dns1123LabelPrefix().validate("contains a space-")'), [LABEL_ERR]);
  assert.deepEqual(run('format.dns1123SubdomainPrefix().validate("contains a space-")'), [SUBDOMAIN_ERR]);
  assert.deepEqual(run('format.dns1035LabelPrefix().validate("contains a space-")'), [DNS1035_ERR]);
  assert.deepEqual(run('format.labelValue().validate("my-cool-label-Value!!\\n\\n!!!")'), [LABEL_VALUE_ERR]);
  assert.deepEqual(run('format.byte().validate("aGVsbG8")'), ['invalid base64']);
  assert.deepEqual(run('format.date().validate("2020-01-32")'), ['invalid date']);
  assert.deepEqual(run('format.datetime().validate("2020-01-32T00:00:00Z")'), ['invalid datetime']);
  assert.deepEqual(run('format.uuid().validate("not-a-uuid")'), ['does not match the UUID format']);
  assert.deepEqual(run('format.uri().validate("relative/path")'), [
    'parse "relative/path": invalid URI for request',
  ]);
  assert.deepEqual(run(`format.dns1123Label().validate("${'a'.repeat(64)}")`), [
    'must be no more than 63 characters',
  ]);
});

test('qualified names check the prefix and the name part', () => {
  assert.deepEqual(run('format.qualifiedName().validate("/name")'), ['prefix part must be non-empty']);
  assert.deepEqual(run('format.qualifiedName().validate("Example.com/name")'), [
    `prefix part ${SUBDOMAIN_ERR}`,
  ]);
  assert.deepEqual(run('format.qualifiedName().validate("example.com/")'), [
    'name part must be non-empty',
    QUALIFIED_ERR,
  ]);
  assert.equal((run('format.qualifiedName().validate("a/b/c")') as string[]).length, 1);
});

test('format.named looks formats up by name; formats compare by identity', () => {
  assert.equal(run('format.named("unknown").hasValue()'), false);
  for (const name of [
    'dns1123Label',
    'dns1123Subdomain',
    'dns1035Label',
    'qualifiedName',
    'dns1123LabelPrefix',
    'dns1123SubdomainPrefix',
    'dns1035LabelPrefix',
    'labelValue',
    'uri',
    'uuid',
    'byte',
    'date',
    'datetime',
  ]) {
    assert.equal(run(`format.named("${name}").hasValue()`), true, name);
    assert.equal(run(`format.named("${name}").value() == format.${name}()`), true, name);
  }
  assert.equal(run('format.uuid() == format.byte()'), false);
  assert.equal(run('format.named("dns1123Label").value().validate("ok").hasValue()'), false);
});
