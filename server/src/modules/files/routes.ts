import fs from 'node:fs';
import { queryBoolean } from '@safe-campus/domain';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../../platform/audit.js';
import { authOf } from '../../platform/context.js';
import { notFound } from '../../platform/errors.js';
import { contentDisposition, uploadedFile } from '../../platform/excel.js';
import { presentFile } from './presenter.js';
import { FileService } from './service.js';

const tags = ['files'];

export const storedFile = z.object({
  id: z.uuid(),
  filename: z.string(),
  /** Sniffed from the content, never taken from the client. */
  mime: z.string(),
  size: z.number(),
  width: z.number().nullable(),
  height: z.number().nullable(),
  hasThumbnail: z.boolean(),
  /** The record the file is attached to; null until a form that uses it is saved. */
  ownerType: z.string().nullable(),
  ownerId: z.number().nullable(),
  createdAt: z.string(),
});

const fileParams = z.strictObject({ id: z.uuid() });
const downloadQuery = z.strictObject({ download: queryBoolean.optional() });

async function sendStored(
  reply: FastifyReply,
  filePath: string,
  headers: Record<string, string>,
): Promise<FastifyReply> {
  try {
    await fs.promises.access(filePath);
  } catch {
    throw notFound();
  }
  for (const [name, value] of Object.entries(headers)) reply.header(name, value);
  return reply.send(fs.createReadStream(filePath));
}

export async function filesModule(app: FastifyInstance): Promise<void> {
  const { db, files } = app.platform;
  const service = new FileService(db, files);
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.post(
    '/files',
    {
      config: { access: 'file.upload' },
      schema: {
        tags,
        summary: '上传文件（图片、PDF、Office 文档）',
        description:
          'multipart/form-data，文件字段 `file`。类型按内容识别；图片生成缩略图。文件在被某条记录引用前只有上传者可见。',
        response: { 200: storedFile },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const { filename, buffer } = await uploadedFile(request);
      return presentFile(await service.upload(auth, actorOf(request), filename, buffer));
    },
  );

  routes.get(
    '/files/:id',
    {
      config: { access: 'authenticated' },
      schema: { tags, summary: '下载文件', params: fileParams, querystring: downloadQuery },
    },
    async (request, reply) => {
      const row = await service.readable(authOf(request), request.params.id);
      const inline = row.mime.startsWith('image/') && !request.query.download;
      return sendStored(reply, files.pathOf(row.sha256), {
        'content-type': row.mime,
        'content-length': String(row.size),
        'content-disposition': contentDisposition(inline ? 'inline' : 'attachment', row.filename),
        'x-content-type-options': 'nosniff',
        'cache-control': 'private, max-age=3600',
        etag: `"${row.sha256}"`,
      });
    },
  );

  routes.get(
    '/files/:id/thumbnail',
    { config: { access: 'authenticated' }, schema: { tags, summary: '图片缩略图（WebP）', params: fileParams } },
    async (request, reply) => {
      const row = await service.readable(authOf(request), request.params.id);
      if (!row.has_thumbnail) throw notFound();
      return sendStored(reply, files.thumbnailPathOf(row.sha256), {
        'content-type': 'image/webp',
        'content-disposition': contentDisposition('inline', `${row.filename}.webp`),
        'x-content-type-options': 'nosniff',
        'cache-control': 'private, max-age=3600',
      });
    },
  );
}
