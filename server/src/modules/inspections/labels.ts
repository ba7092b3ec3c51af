import QRCode from 'qrcode';

/**
 * A printable A4 sheet of checkpoint labels, without a PDF library: each label is an SVG (QR code from the
 * `qrcode` package plus the Chinese text, rendered with fontconfig's CJK fonts by sharp) rasterised to JPEG, and
 * the JPEGs are placed on A4 pages by a minimal PDF writer (DCTDecode images, one content stream per page, xref).
 */
export interface Label {
  placeName: string;
  routeName: string;
  schoolName: string;
  seq: number;
  qr: string;
}

const COLUMNS = 2;
const ROWS = 4;
const PAGE_W = 595.28; // A4 in points
const PAGE_H = 841.89;
const MARGIN = 28;
const LABEL_W = (PAGE_W - 2 * MARGIN) / COLUMNS;
const LABEL_H = (PAGE_H - 2 * MARGIN) / ROWS;
const SCALE = 3; // pixels per point: ~216 dpi, enough for a phone camera

function escapeXml(value: string): string {
  return value.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!,
  );
}

function truncate(value: string, max: number): string {
  return [...value].length > max ? `${[...value].slice(0, max - 1).join('')}…` : value;
}

async function labelJpeg(label: Label): Promise<{ data: Buffer; width: number; height: number }> {
  const width = Math.round(LABEL_W * SCALE);
  const height = Math.round(LABEL_H * SCALE);
  const qrSize = Math.round(height * 0.62);
  const qrSvg = await QRCode.toString(label.qr, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });
  const qrInner = qrSvg.replace(/^[\s\S]*?<svg[^>]*viewBox="([^"]+)"[^>]*>/, '<svg viewBox="$1">');
  const viewBox = /viewBox="([^"]+)"/.exec(qrSvg)?.[1] ?? '0 0 33 33';
  const font = "'Noto Sans CJK SC','Noto Sans SC','WenQuanYi Zen Hei',sans-serif";
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
  <rect x="6" y="6" width="${width - 12}" height="${height - 12}" fill="#fff" stroke="#888" stroke-width="3" stroke-dasharray="18 10" rx="16"/>
  <text x="${width / 2}" y="${height * 0.13}" font-family="${font}" font-size="${height * 0.085}" font-weight="bold" text-anchor="middle" fill="#111">${escapeXml(truncate(label.placeName, 14))}</text>
  <svg x="${(width - qrSize) / 2}" y="${height * 0.18}" width="${qrSize}" height="${qrSize}" viewBox="${viewBox}" shape-rendering="crispEdges">${qrInner.replace(/^<svg[^>]*>/, '').replace(/<\/svg>\s*$/, '')}</svg>
  <text x="${width / 2}" y="${height * 0.88}" font-family="${font}" font-size="${height * 0.052}" text-anchor="middle" fill="#333">${escapeXml(truncate(`${label.routeName} · 第${label.seq}点`, 22))}</text>
  <text x="${width / 2}" y="${height * 0.95}" font-family="${font}" font-size="${height * 0.045}" text-anchor="middle" fill="#666">${escapeXml(truncate(label.schoolName, 24))} · 巡逻点扫码</text>
</svg>`;
  const { default: sharp } = await import('sharp');
  const data = await sharp(Buffer.from(svg)).flatten({ background: '#ffffff' }).jpeg({ quality: 85 }).toBuffer();
  return { data, width, height };
}

/** Writes a PDF whose pages show JPEG images at given positions (points). */
export function writePdf(
  pages: { images: { data: Buffer; width: number; height: number; x: number; y: number; w: number; h: number }[] }[],
): Buffer {
  const objects: Buffer[] = [];
  const add = (body: Buffer | string) => {
    objects.push(typeof body === 'string' ? Buffer.from(body, 'latin1') : body);
    return objects.length; // object number
  };
  // 1: catalog, 2: pages (filled in at the end)
  add('');
  add('');
  const pageIds: number[] = [];
  for (const page of pages) {
    const xobjects: string[] = [];
    let content = '';
    page.images.forEach((image, index) => {
      const head = Buffer.from(
        `<< /Type /XObject /Subtype /Image /Width ${image.width} /Height ${image.height} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode /Length ${image.data.length} >>\nstream\n`,
        'latin1',
      );
      const id = add(Buffer.concat([head, image.data, Buffer.from('\nendstream', 'latin1')]));
      xobjects.push(`/Im${index} ${id} 0 R`);
      content += `q ${image.w.toFixed(2)} 0 0 ${image.h.toFixed(2)} ${image.x.toFixed(2)} ${image.y.toFixed(2)} cm /Im${index} Do Q\n`;
    });
    const contentId = add(`<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}endstream`);
    pageIds.push(
      add(
        `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${PAGE_W} ${PAGE_H}] /Resources << /XObject << ${xobjects.join(' ')} >> >> /Contents ${contentId} 0 R >>`,
      ),
    );
  }
  objects[0] = Buffer.from('<< /Type /Catalog /Pages 2 0 R >>', 'latin1');
  objects[1] = Buffer.from(
    `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${pageIds.length} >>`,
    'latin1',
  );
  const chunks: Buffer[] = [Buffer.from('%PDF-1.4\n%\xE2\xE3\xCF\xD3\n', 'latin1')];
  let offset = chunks[0]!.length;
  const offsets: number[] = [];
  objects.forEach((body, index) => {
    offsets.push(offset);
    const chunk = Buffer.concat([
      Buffer.from(`${index + 1} 0 obj\n`, 'latin1'),
      body,
      Buffer.from('\nendobj\n', 'latin1'),
    ]);
    chunks.push(chunk);
    offset += chunk.length;
  });
  const xref = [
    'xref',
    `0 ${objects.length + 1}`,
    '0000000000 65535 f ',
    ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n `),
    'trailer',
    `<< /Size ${objects.length + 1} /Root 1 0 R >>`,
    'startxref',
    String(offset),
    '%%EOF',
    '',
  ].join('\n');
  chunks.push(Buffer.from(xref, 'latin1'));
  return Buffer.concat(chunks);
}

export async function labelsPdf(labels: Label[]): Promise<Buffer> {
  const perPage = COLUMNS * ROWS;
  const pages: Parameters<typeof writePdf>[0] = [];
  for (let start = 0; start < Math.max(labels.length, 1); start += perPage) {
    const images = [];
    for (const [index, label] of labels.slice(start, start + perPage).entries()) {
      const jpeg = await labelJpeg(label);
      const column = index % COLUMNS;
      const row = Math.floor(index / COLUMNS);
      images.push({
        ...jpeg,
        x: MARGIN + column * LABEL_W,
        y: PAGE_H - MARGIN - (row + 1) * LABEL_H,
        w: LABEL_W,
        h: LABEL_H,
      });
    }
    pages.push({ images });
  }
  return writePdf(pages);
}
