/**
 * The emulator's TLS identity. The Azure SDK refuses to send bearer tokens over plain http, so the
 * emulator serves HTTPS with a self-signed certificate made on first start and kept in its data folder.
 * Clients trust exactly this certificate (NODE_EXTRA_CA_CERTS, or tls.setDefaultCACertificates in-process);
 * nobody turns TLS verification off.
 */
import { generateKeyPairSync, randomBytes, X509Certificate } from "node:crypto";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { makePrivateDir, PRIVATE_FILE_MODE } from "./paths.ts";

export interface TlsIdentity {
  certPem: string;
  keyPem: string;
  certPath: string;
}

const CERT_FILE = "emulator-cert.pem";
const KEY_FILE = "emulator-key.pem";

/** Loads the certificate from `dataDir`, or makes one (valid for 127.0.0.1, ::1 and localhost). */
export async function loadOrCreateTlsIdentity(dataDir: string): Promise<TlsIdentity> {
  const certPath = path.join(dataDir, CERT_FILE);
  const keyPath = path.join(dataDir, KEY_FILE);
  if (existsSync(certPath) && existsSync(keyPath)) {
    const certPem = readFileSync(certPath, "utf8");
    if (!expiresWithinDays(certPem, 7)) return { certPem, keyPem: readFileSync(keyPath, "utf8"), certPath };
  }
  makePrivateDir(dataDir);
  const { certPem, keyPem } = await createSelfSigned();
  // Write the key first and the certificate last, each atomically: a half-written pair is never loaded.
  writeAtomic(keyPath, keyPem, PRIVATE_FILE_MODE);
  writeAtomic(certPath, certPem, 0o644);
  return { certPem, keyPem, certPath };
}

async function createSelfSigned(): Promise<{ certPem: string; keyPem: string }> {
  // Node makes the key natively; node-forge only assembles and signs the certificate (loaded lazily:
  // this runs once per data folder, and every other start should not pay for the import).
  const { default: forge } = await import("node-forge");
  const { privateKey, publicKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
  cert.serialNumber = `01${randomBytes(15).toString("hex")}`;
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 825 * 24 * 3600 * 1000);
  // A unique name per certificate: OpenSSL finds a trusted issuer by subject name, so two data folders'
  // certificates with one shared name, both trusted in one process, could be checked against the wrong key.
  const name = [
    { name: "commonName", value: "Foundry Agent Lab emulator (local only)" },
    { name: "serialNumber", value: randomBytes(8).toString("hex") },
  ];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, keyCertSign: true, critical: true },
    { name: "extKeyUsage", serverAuth: true },
    { name: "subjectKeyIdentifier" },
    {
      name: "subjectAltName",
      altNames: [
        { type: 7, ip: "127.0.0.1" },
        { type: 7, ip: "::1" },
        { type: 2, value: "localhost" },
      ],
    },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(privateKey), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: privateKey };
}

function expiresWithinDays(certPem: string, days: number): boolean {
  try {
    return new Date(new X509Certificate(certPem).validTo).getTime() < Date.now() + days * 24 * 3600 * 1000;
  } catch {
    return true; // unreadable: make a new one
  }
}

function writeAtomic(file: string, content: string, mode: number): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode });
  renameSync(tmp, file);
}
