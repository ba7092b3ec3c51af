import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTree, buildUser, type Tree } from '../../../test/factories.js';
import { type Client, createTestApp, login, type TestApp, tableCounts } from '../../../test/harness.js';
import { multipartBody } from './test-support.js';

let t: TestApp;
let tree: Tree;
let uploader: Client;
let colleague: Client;
let otherSchool: Client;
const MAX_BYTES = 64 * 1024;

beforeAll(async () => {
  t = await createTestApp({ fileMaxBytes: MAX_BYTES });
  tree = await buildTree(t.database.db);
  const db = t.database.db;
  const teacher = await buildUser(db, { role: 'teacher', org: tree.school });
  uploader = await login(t.app, teacher.username, teacher.password);
  const other = await buildUser(db, { role: 'school_security', org: tree.school });
  colleague = await login(t.app, other.username, other.password);
  const far = await buildUser(db, { role: 'school_security', org: tree.otherSchool });
  otherSchool = await login(t.app, far.username, far.password);
});
afterAll(() => t.close());

function upload(
  client: Client,
  buffer: Buffer,
  filename: string,
  options: { field?: string; contentType?: string } = {},
) {
  const { payload, headers } = multipartBody(buffer, filename, options);
  return client.post('/api/v1/files', payload, headers);
}

describe('files', () => {
  it('stores an image with its sniffed type, size and thumbnail, and audits the upload', async () => {
    const png = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#336699' } })
      .png()
      .toBuffer();
    const response = await upload(uploader, png, '隐患照片.png', { contentType: 'application/octet-stream' });
    expect(response.statusCode, response.body).toBe(200);
    const file = response.json();
    expect(file).toMatchObject({
      filename: '隐患照片.png',
      mime: 'image/png',
      size: png.length,
      width: 800,
      height: 600,
      hasThumbnail: true,
      ownerType: null,
    });
    expect(file.id).toMatch(/^[0-9a-f-]{36}$/);
    const row = await t.database.db
      .selectFrom('stored_file')
      .selectAll()
      .where('id', '=', file.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ org_path: tree.school.path, uploaded_by: uploader.userId, owner_type: null });
    const audit = await t.database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'file.upload')
      .where('target_id', '=', file.id)
      .executeTakeFirstOrThrow();
    expect(audit.detail).toMatchObject({ after: { filename: '隐患照片.png', mime: 'image/png' } });

    const content = await uploader.get(`/api/v1/files/${file.id}`);
    expect(content.statusCode).toBe(200);
    expect(content.headers['content-type']).toBe('image/png');
    expect(content.headers['x-content-type-options']).toBe('nosniff');
    expect(content.headers['content-disposition']).toBe(
      `inline; filename="____.png"; filename*=UTF-8''${encodeURIComponent('隐患照片.png')}`,
    );
    expect(content.rawPayload.equals(png)).toBe(true);
    const download = await uploader.get(`/api/v1/files/${file.id}?download=true`);
    expect(download.headers['content-disposition']).toMatch(/^attachment;/);

    const thumbnail = await uploader.get(`/api/v1/files/${file.id}/thumbnail`);
    expect(thumbnail.statusCode).toBe(200);
    expect(thumbnail.headers['content-type']).toBe('image/webp');
    const meta = await sharp(thumbnail.rawPayload).metadata();
    expect(Math.max(meta.width ?? 0, meta.height ?? 0)).toBeLessThanOrEqual(320);
  });

  it('shows an unattached upload to its uploader only', async () => {
    const png = await sharp({ create: { width: 10, height: 10, channels: 3, background: '#000' } })
      .png()
      .toBuffer();
    const file = (await upload(uploader, png, 'draft.png')).json();
    expect((await colleague.get(`/api/v1/files/${file.id}`)).statusCode).toBe(404);
    expect((await colleague.get(`/api/v1/files/${file.id}/thumbnail`)).statusCode).toBe(404);
    expect((await otherSchool.get(`/api/v1/files/${file.id}`)).statusCode).toBe(404);
    expect((await uploader.get('/api/v1/files/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
    expect((await uploader.get('/api/v1/files/not-a-uuid')).statusCode).toBe(400);
    expect((await uploader.get(`/api/v1/files/${file.id}?extra=1`)).statusCode).toBe(400);
  });

  it('serves documents as attachments without thumbnails and cleans file names', async () => {
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n');
    const response = await upload(uploader, pdf, '../../etc/整改报告.pdf');
    expect(response.json()).toMatchObject({
      filename: '整改报告.pdf',
      mime: 'application/pdf',
      hasThumbnail: false,
      width: null,
    });
    const id = response.json().id;
    const content = await uploader.get(`/api/v1/files/${id}`);
    expect(content.headers['content-disposition']).toMatch(/^attachment;/);
    expect((await uploader.get(`/api/v1/files/${id}/thumbnail`)).statusCode).toBe(404);
  });

  it('refuses unknown types, disguised images, oversized and missing files, writing nothing', async () => {
    const before = await tableCounts(t.database);
    const html = await upload(uploader, Buffer.from('<html><script>alert(1)</script></html>'), 'photo.png', {
      contentType: 'image/png',
    });
    expect(html.statusCode).toBe(415);
    expect(html.json().code).toBe('file_type_not_allowed');
    const exe = await upload(uploader, Buffer.from('MZ\u0090\u0000binary'), 'setup.exe');
    expect(exe.json().code).toBe('file_type_not_allowed');
    const fakePng = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      Buffer.alloc(200, 7),
    ]);
    expect((await upload(uploader, fakePng, 'broken.png')).json().code).toBe('file_type_not_allowed');

    const big = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(MAX_BYTES + 1024, 0x20)]);
    const tooLarge = await upload(uploader, big, 'big.pdf');
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.json().code).toBe('file_too_large');
    expect(tooLarge.headers['content-type']).toContain('application/problem+json');

    expect((await upload(uploader, Buffer.alloc(0), 'empty.png')).json().code).toBe('file_missing');
    expect((await upload(uploader, Buffer.from('%PDF-1.4\n'), 'a.pdf', { field: 'other' })).json().code).toBe(
      'file_missing',
    );
    const json = await uploader.post('/api/v1/files', { file: 'aGVsbG8=' });
    expect(json.statusCode).toBe(415);
    const { payload, headers } = multipartBody(Buffer.from('%PDF-1.4\n'), 'a.pdf');
    const noCsrf = await t.app.inject({
      method: 'POST',
      url: '/api/v1/files',
      payload,
      headers: { ...headers, cookie: uploader.cookie },
    });
    expect(noCsrf.statusCode).toBe(403);
    const anonymous = await t.app.inject({ method: 'POST', url: '/api/v1/files', payload, headers });
    expect(anonymous.statusCode).toBe(401);
    expect(await tableCounts(t.database)).toEqual(before);
  });
});
