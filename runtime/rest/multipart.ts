// multipart/form-data, just enough for POST /jars/upload (Flink's field is `jarfile`; any file field is
// taken): the body arrives as one buffer (bounded by rest.server.max-content-length) and is split on the
// boundary. No dependency for a few dozen lines.
import { badRequest } from '../cluster/errors.js';

export interface UploadedFile {
  field: string;
  fileName: string;
  data: Buffer;
}

export function boundaryOf(contentType: string | undefined): string {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? '');
  if (!m) throw badRequest('multipart/form-data without a boundary');
  return m[1] ?? m[2].trim();
}

export function parseMultipart(body: Buffer, boundary: string): UploadedFile[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const files: UploadedFile[] = [];
  let pos = body.indexOf(delimiter);
  if (pos < 0) throw badRequest('malformed multipart body: no boundary found');
  for (;;) {
    pos += delimiter.length;
    // "--" after a delimiter closes the body.
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) break;
    const headerEnd = body.indexOf('\r\n\r\n', pos);
    if (headerEnd < 0) throw badRequest('malformed multipart body: a part has no header end');
    const headers = body.subarray(pos, headerEnd).toString('utf8');
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headerEnd + 4);
    if (next < 0) throw badRequest('malformed multipart body: a part is not terminated');
    const disposition = /content-disposition:([^\r\n]*)/i.exec(headers)?.[1] ?? '';
    const field = /\bname="([^"]*)"/i.exec(disposition)?.[1] ?? '';
    const fileName = /\bfilename="([^"]*)"/i.exec(disposition)?.[1];
    if (fileName !== undefined) files.push({ field, fileName, data: body.subarray(headerEnd + 4, next) });
    pos = next + 2;
  }
  return files;
}
