import { test } from 'node:test';
import assert from 'node:assert/strict';

import { CelEvalError, compileCel } from '../index.js';

// Expected values from the Kubernetes CEL reference (IP address and CIDR libraries) and apiserver tests.

const run = (expression: string): unknown => compileCel(expression, { variables: [] }).evaluate({});

test('ip and isIP: strict IPv4, IPv6, no zones, no IPv4-mapped IPv6', () => {
  assert.equal(run("isIP('127.0.0.1')"), true);
  assert.equal(run("isIP('::1')"), true);
  assert.equal(run("isIP('2001:db8::1:0:0:1')"), true);
  assert.equal(run("isIP('1.2.3')"), false);
  assert.equal(run("isIP('010.0.0.1')"), false); // leading zeros are ambiguous (octal)
  assert.equal(run("isIP('256.0.0.1')"), false);
  assert.equal(run("isIP('127.0.0.1/24')"), false);
  assert.equal(run("isIP('fe80::1%eth0')"), false);
  assert.equal(run("isIP('::ffff:1.2.3.4')"), false);
  assert.throws(() => run("ip('::ffff:1.2.3.4')"), /IPv4-mapped IPv6 address is not allowed/);
  assert.throws(() => run("ip('fe80::1%eth0')"), /zone value is not allowed/);
  assert.throws(() => run("ip('not an ip')"), CelEvalError);
});

test('ip.isCanonical and string()', () => {
  assert.equal(run("ip.isCanonical('127.0.0.1')"), true);
  assert.equal(run("ip.isCanonical('2001:db8::abcd')"), true);
  assert.equal(run("ip.isCanonical('2001:DB8::ABCD')"), false);
  assert.equal(run("ip.isCanonical('2001:db8::0:0:0:abcd')"), false);
  assert.equal(run("string(ip('2001:DB8:0:0:1::1'))"), '2001:db8::1:0:0:1');
  assert.equal(run("string(ip('1:0:0:1:0:0:0:1'))"), '1:0:0:1::1');
  assert.equal(run("string(ip('0:0:0:0:0:0:0:0'))"), '::');
  assert.throws(() => run("ip.isCanonical('bad')"), CelEvalError);
});

test('family and the address classes (Go netip semantics)', () => {
  assert.equal(run("ip('127.0.0.1').family()"), 4);
  assert.equal(run("ip('::1').family()"), 6);
  assert.equal(run("ip('0.0.0.0').isUnspecified()"), true);
  assert.equal(run("ip('::').isUnspecified()"), true);
  assert.equal(run("ip('127.0.0.1').isUnspecified()"), false);
  assert.equal(run("ip('127.0.0.1').isLoopback()"), true);
  assert.equal(run("ip('127.255.0.1').isLoopback()"), true);
  assert.equal(run("ip('::1').isLoopback()"), true);
  assert.equal(run("ip('1.2.3.4').isLoopback()"), false);
  assert.equal(run("ip('224.0.0.1').isLinkLocalMulticast()"), true);
  assert.equal(run("ip('224.0.1.1').isLinkLocalMulticast()"), false);
  assert.equal(run("ip('ff02::1').isLinkLocalMulticast()"), true);
  assert.equal(run("ip('fd00::1').isLinkLocalMulticast()"), false);
  assert.equal(run("ip('169.254.169.254').isLinkLocalUnicast()"), true);
  assert.equal(run("ip('192.168.0.1').isLinkLocalUnicast()"), false);
  assert.equal(run("ip('fe80::1').isLinkLocalUnicast()"), true);
  assert.equal(run("ip('192.168.0.1').isGlobalUnicast()"), true);
  assert.equal(run("ip('255.255.255.255').isGlobalUnicast()"), false);
  assert.equal(run("ip('2001:db8::abcd').isGlobalUnicast()"), true);
  assert.equal(run("ip('ff00::1').isGlobalUnicast()"), false);
});

test('ip equality', () => {
  assert.equal(run("ip('127.0.0.1') == ip('127.0.0.1')"), true);
  assert.equal(run("ip('2001:db8::1') == ip('2001:DB8::1')"), true);
  assert.equal(run("ip('127.0.0.1') != ip('127.0.0.2')"), true);
});

test('cidr and isCIDR', () => {
  assert.equal(run("isCIDR('192.168.0.0/16')"), true);
  assert.equal(run("isCIDR('2001:db8::/32')"), true);
  assert.equal(run("isCIDR('192.168.0.0/33')"), false);
  assert.equal(run("isCIDR('192.168.0.0')"), false);
  assert.equal(run("isCIDR('::/129')"), false);
  assert.equal(run("isCIDR('10.0.0.0/08')"), false);
  assert.throws(() => run("cidr('192.168.0.0')"), CelEvalError);
  assert.equal(run("string(cidr('192.168.0.0/24'))"), '192.168.0.0/24');
});

test('containsIP and containsCIDR, with values or strings', () => {
  assert.equal(run("cidr('192.168.0.0/24').containsIP(ip('192.168.0.1'))"), true);
  assert.equal(run("cidr('192.168.0.0/24').containsIP(ip('192.168.1.1'))"), false);
  assert.equal(run("cidr('192.168.0.0/24').containsIP('192.168.0.1')"), true);
  assert.equal(run("cidr('2001:db8::/32').containsIP(ip('2001:db8::1'))"), true);
  assert.equal(run("cidr('0.0.0.0/0').containsIP('::1')"), false);
  assert.equal(run("cidr('192.168.0.0/24').containsCIDR(cidr('192.168.0.0/25'))"), true);
  assert.equal(run("cidr('192.168.0.0/24').containsCIDR('192.168.0.0/25')"), true);
  assert.equal(run("cidr('192.168.0.0/24').containsCIDR(cidr('192.168.0.0/23'))"), false);
  assert.equal(run("cidr('192.168.0.0/24').containsCIDR('192.168.0.0/24')"), true);
});

test('ip(), masked() and prefixLength() of a cidr', () => {
  assert.equal(run("cidr('192.168.0.0/24').ip() == ip('192.168.0.0')"), true);
  assert.equal(run("cidr('192.168.0.1/24').ip() == ip('192.168.0.1')"), true);
  assert.equal(run("cidr('192.168.0.1/24').masked() == cidr('192.168.0.0/24')"), true);
  assert.equal(run("string(cidr('2001:db8::1/32').masked())"), '2001:db8::/32');
  assert.equal(run("cidr('192.168.0.0/24').prefixLength()"), 24);
  assert.equal(run("cidr('::1/128').prefixLength()"), 128);
});
