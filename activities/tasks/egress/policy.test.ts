/** The egress policy's decisions, without connecting anywhere. */
import { createEgressPolicy, EgressAllowListError, parseAllowList } from './policy';

const at = (address: string, host = address, port = 443) => ({ host, port, address });

describe('the default egress policy', () => {
  const policy = createEgressPolicy();

  it.each([
    ['loopback', '127.0.0.1'],
    ['loopback (anywhere in 127/8)', '127.255.0.9'],
    ['IPv6 loopback', '::1'],
    ['RFC 1918 10/8', '10.1.2.3'],
    ['RFC 1918 172.16/12', '172.31.255.1'],
    ['RFC 1918 192.168/16', '192.168.0.10'],
    ['link-local', '169.254.10.1'],
    ['AWS/GCP/Azure metadata', '169.254.169.254'],
    ['AWS IPv6 metadata', 'fd00:ec2::254'],
    ['Alibaba metadata (CGNAT)', '100.100.100.200'],
    ['CGNAT', '100.64.0.1'],
    ['ULA', 'fd12:3456::1'],
    ['IPv6 link-local', 'fe80::1'],
    ['multicast', '224.0.0.1'],
    ['IPv6 multicast', 'ff02::1'],
    ['broadcast', '255.255.255.255'],
    ['unspecified', '0.0.0.0'],
    ['0/8', '0.1.2.3'],
    ['IPv6 unspecified', '::'],
    ['IPv4-mapped loopback', '::ffff:127.0.0.1'],
    ['IPv4-mapped metadata', '::ffff:169.254.169.254'],
    ['IPv4-mapped private (hex)', '::ffff:a00:1'],
    ['IPv4-compatible loopback', '::127.0.0.1'],
    ['6to4 of loopback', '2002:7f00:1::1'],
    ['NAT64 of private', '64:ff9b::a00:1'],
    ['Teredo', '2001:0:4136:e378:8000:63bf:3fff:fdd2'],
    ['documentation', '192.0.2.1'],
    ['IETF protocol assignments (Oracle metadata)', '192.0.0.192'],
    ['reserved 240/4', '240.0.0.1'],
    ['benchmarking', '198.18.0.1'],
    ['IPv6 documentation', '2001:db8::1'],
    ['zone id', 'fe80::1%eth0'],
  ])('refuses %s (%s)', (_what, address) => {
    expect(policy.allows(at(address))).toBe(false);
  });

  it.each([['93.184.215.14'], ['8.8.8.8'], ['2606:4700:4700::1111'], ['::ffff:8.8.8.8']])(
    'allows the public address %s',
    (address) => {
      expect(policy.allows(at(address))).toBe(true);
    },
  );

  it('refuses what is not an IP address at all', () => {
    expect(policy.allows(at('localhost'))).toBe(false);
  });
});

describe('the allow-list', () => {
  it('opens a CIDR range, one address, or one address and port', () => {
    const policy = createEgressPolicy('10.0.0.0/8, 127.0.0.1:8080 [::1]:9090 192.168.1.5');
    expect(policy.allows(at('10.20.30.40'))).toBe(true);
    expect(policy.allows(at('172.16.0.1'))).toBe(false);
    expect(policy.allows(at('127.0.0.1', '127.0.0.1', 8080))).toBe(true);
    expect(policy.allows(at('127.0.0.1', '127.0.0.1', 8081))).toBe(false);
    expect(policy.allows(at('::1', '::1', 9090))).toBe(true);
    expect(policy.allows(at('::1', '::1', 80))).toBe(false);
    expect(policy.allows(at('192.168.1.5', 'printer', 631))).toBe(true);
    expect(policy.allows(at('::ffff:10.0.0.1'))).toBe(true);
  });

  it('opens a host name (any port, or one), and subdomains with *.', () => {
    const policy = createEgressPolicy(['crm.internal', 'db.internal:8443', '*.svc.cluster.local']);
    expect(policy.allows(at('10.0.0.7', 'crm.internal', 80))).toBe(true);
    expect(policy.allows(at('10.0.0.7', 'CRM.internal', 80))).toBe(true);
    expect(policy.allows(at('10.0.0.8', 'db.internal', 8443))).toBe(true);
    expect(policy.allows(at('10.0.0.8', 'db.internal', 5432))).toBe(false);
    expect(policy.allows(at('10.0.0.9', 'api.ns.svc.cluster.local', 80))).toBe(true);
    expect(policy.allows(at('10.0.0.9', 'svc.cluster.local', 80))).toBe(false);
    expect(policy.allows(at('10.0.0.9', 'evil-crm.internal', 80))).toBe(false);
  });

  it('never opens a metadata address through a range or a host name, only by naming it', () => {
    const broad = createEgressPolicy(['169.254.0.0/16', '0.0.0.0/0', 'metadata.google.internal', 'fd00::/8']);
    expect(broad.allows(at('169.254.1.1'))).toBe(true);
    expect(broad.allows(at('169.254.169.254'))).toBe(false);
    expect(broad.allows(at('169.254.169.254', 'metadata.google.internal', 80))).toBe(false);
    expect(broad.allows(at('fd00:ec2::254'))).toBe(false);
    expect(createEgressPolicy('169.254.169.254').allows(at('169.254.169.254', '169.254.169.254', 80))).toBe(true);
  });

  it('refuses malformed entries with a message naming EGRESS_ALLOW and the entry', () => {
    for (const bad of ['10.0.0.0/33', 'host:99999', 'bad host!', 'a..b', '[crm]:80']) {
      expect(() => parseAllowList([bad])).toThrow(EgressAllowListError);
      expect(() => parseAllowList([bad])).toThrow(`EGRESS_ALLOW entry ${JSON.stringify(bad)}`);
    }
  });
});
