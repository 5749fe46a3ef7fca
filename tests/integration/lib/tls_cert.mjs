// Certificates for the TLS tests, made with the `openssl` command-line tool (Debian's
// openssl package) in a fresh temporary directory: a test CA, a server certificate for
// 127.0.0.1 and localhost signed by it, and a second server pair for reload tests. The
// certificate files hold the server certificate followed by the CA (a chain), as a
// server's fullchain.pem does.
//
//   const tls = makeTlsFiles();
//   tls.ca                      CA certificate (PEM text) for clients to trust
//   tls.first.cert / .key       paths; .serial the serial in upper-case hex ("1001")
//   tls.second.cert / .key      the second pair, same CA, another serial and key
//   tls.encryptedKey            the first key encrypted with a passphrase
//   tls.dir, tls.file(name)     the directory, a path inside it
//   tls.cleanup()
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

function openssl(args, cwd) {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

// A server key and certificate signed by the CA in `dir`; returns their paths and serial.
function serverPair(dir, name, serialHex) {
  openssl(['req', '-new', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', '/CN=127.0.0.1'], dir);
  writeFileSync(path.join(dir, `${name}.ext`),
    'subjectAltName = IP:127.0.0.1, DNS:localhost\nextendedKeyUsage = serverAuth\n'
    + 'basicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature\n');
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', `0x${serialHex}`,
    '-days', '2', '-sha256', '-extfile', `${name}.ext`, '-out', `${name}.leaf.pem`], dir);
  const chain = readFileSync(path.join(dir, `${name}.leaf.pem`), 'utf8') + readFileSync(path.join(dir, 'ca.pem'), 'utf8');
  writeFileSync(path.join(dir, `${name}.pem`), chain);
  return { cert: path.join(dir, `${name}.pem`), key: path.join(dir, `${name}.key`), serial: serialHex.toUpperCase() };
}

export function makeTlsFiles() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sockguard-tls-'));
  openssl(['req', '-x509', '-new', ...EC, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-sha256',
    '-subj', '/CN=sockguard test CA',
    '-addext', 'basicConstraints = critical, CA:TRUE', '-addext', 'keyUsage = critical, keyCertSign, cRLSign'], dir);
  const first = serverPair(dir, 'first', '1001');
  const second = serverPair(dir, 'second', '2002');
  openssl(['pkey', '-in', 'first.key', '-aes256', '-passout', 'pass:a passphrase', '-out', 'encrypted.key'], dir);
  return {
    dir,
    ca: readFileSync(path.join(dir, 'ca.pem'), 'utf8'),
    first,
    second,
    encryptedKey: path.join(dir, 'encrypted.key'),
    file: (name) => path.join(dir, name),
    cleanup() { rmSync(dir, { recursive: true, force: true }); },
  };
}
