import { decodeBase64 } from './foreign-check.ts';

/** A PHC string (`$id$v=19$m=…,t=…,p=…$salt$hash`), its parameters by name. */
export interface PhcString {
  id: string;
  version: number | null;
  params: ReadonlyMap<string, number>;
  salt: Buffer;
  hash: Buffer;
}

const PHC = /^\$([a-z0-9-]{1,32})(?:\$v=(\d{1,4}))?\$((?:[a-z0-9-]{1,32}=\d{1,12},?)+)\$([A-Za-z0-9+/.]{8,128})\$([A-Za-z0-9+/.]{16,256})$/;

/** Parses a PHC string with numeric parameters; null when it is not one. */
export function parsePhc(stored: string): PhcString | null {
  const match = PHC.exec(stored);
  if (match === null) return null;
  const [, id = '', version, paramText = '', saltText = '', hashText = ''] = match;
  const params = new Map<string, number>();
  for (const pair of paramText.split(',').filter(Boolean)) {
    const [name = '', value = ''] = pair.split('=');
    if (params.has(name)) return null;
    params.set(name, Number(value));
  }
  const salt = decodeBase64(saltText);
  const hash = decodeBase64(hashText);
  if (salt === null || hash === null) return null;
  return { id, version: version === undefined ? null : Number(version), params, salt, hash };
}
