import type { createDocument } from 'zod-openapi';

type OpenApiDocument = ReturnType<typeof createDocument>;
type Json = Record<string, unknown>;

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function schemaText(schema: unknown): string {
  return `<pre>${escape(JSON.stringify(schema, null, 2))}</pre>`;
}

function contentOf(content: unknown): string {
  return Object.entries((content ?? {}) as Record<string, { schema?: unknown }>)
    .map(([type, media]) => `<p><code>${escape(type)}</code></p>${media.schema ? schemaText(media.schema) : ''}`)
    .join('');
}

function operationHtml(method: string, path: string, op: Json): string {
  const params = ((op.parameters ?? []) as Json[]).map((p) => `<tr><td><code>${escape(String(p.name))}</code></td><td>${escape(String(p.in))}</td><td>${p.required ? 'yes' : 'no'}</td><td><code>${escape(JSON.stringify(p.schema))}</code></td></tr>`);
  const responses = Object.entries((op.responses ?? {}) as Record<string, Json>).map(([status, r]) => `<li><strong>${escape(status)}</strong> ${escape(String(r.description ?? ''))}${contentOf(r.content)}</li>`);
  const body = op.requestBody as Json | undefined;
  return [
    `<section id="${escape(String(op.operationId))}">`,
    `<h3><code>${method.toUpperCase()} ${escape(path)}</code></h3>`,
    `<p>${escape(String(op.summary ?? ''))}</p>`,
    op.description ? `<p>${escape(String(op.description))}</p>` : '',
    `<p>Access: <code>${escape(JSON.stringify(op['x-guildflow-access']))}</code></p>`,
    params.length ? `<table><thead><tr><th>Parameter</th><th>In</th><th>Required</th><th>Schema</th></tr></thead><tbody>${params.join('')}</tbody></table>` : '',
    body ? `<h4>Request body</h4>${contentOf(body.content)}` : '',
    `<h4>Responses</h4><ul>${responses.join('')}</ul>`,
    '</section>',
  ].join('\n');
}

/**
 * The API reference as one server-rendered page: no script, no style, nothing fetched, so it works offline
 * and under `Content-Security-Policy: default-src 'none'`.
 */
export function renderDocsPage(doc: OpenApiDocument): string {
  const byTag = new Map<string, string[]>();
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = (item as Record<string, Json | undefined>)[method];
      if (!op) continue;
      const tag = ((op.tags ?? ['other']) as string[])[0]!;
      byTag.set(tag, [...(byTag.get(tag) ?? []), operationHtml(method, path, op)]);
    }
  }
  const toc = [...byTag.keys()].map((tag) => `<li><a href="#tag-${escape(tag)}">${escape(tag)}</a></li>`).join('');
  const sections = [...byTag].map(([tag, ops]) => `<h2 id="tag-${escape(tag)}">${escape(tag)}</h2>\n${ops.join('\n')}`).join('\n');
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escape(doc.info.title)} reference</title></head>
<body>
<h1>${escape(doc.info.title)} <small>${escape(doc.info.version)}</small></h1>
<p>${escape(doc.info.description ?? '')}</p>
<p>Machine-readable: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI ${escape(doc.openapi)}).</p>
<nav><ul>${toc}</ul></nav>
${sections}
<h2>Schemas</h2>
${schemaText(doc.components?.schemas ?? {})}
</body>
</html>
`;
}
