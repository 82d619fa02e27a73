/** The Markdown API reference (docs/api/server.md), rendered from the OpenAPI document. */
import { ROLE_PERMISSIONS, ROLES } from '../auth/roles.js';
import type { OpenApiDocument } from './document.js';

interface Param {
  name: string;
  in: string;
  required: boolean;
  schema: Record<string, unknown>;
}

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function describe(s: Record<string, unknown>): string {
  const parts: string[] = [];
  if (typeof s['type'] === 'string') parts.push(s['type']);
  if (Array.isArray(s['enum']))
    parts.push(`one of ${s['enum'].map((e) => `\`${String(e)}\``).join(', ')}`);
  if (typeof s['pattern'] === 'string') parts.push(`pattern \`${s['pattern']}\``);
  if (typeof s['format'] === 'string') parts.push(s['format']);
  for (const [k, label] of [
    ['minimum', '≥'],
    ['maximum', '≤'],
    ['minLength', 'min length'],
    ['maxLength', 'max length'],
    ['maxItems', 'max items'],
  ] as const) {
    if (typeof s[k] === 'number') parts.push(`${label} ${String(s[k])}`);
  }
  if (typeof s['description'] === 'string') parts.push(s['description']);
  return cell(parts.join(', '));
}

export function renderApiReference(doc: OpenApiDocument): string {
  const info = doc['info'] as { title: string; description: string };
  const out: string[] = [
    `# ${info.title}`,
    '',
    '<!-- Generated from the OpenAPI document (GET /openapi.json) by packages/server/scripts/api-reference.mjs. Do not edit: a test fails when this file is stale. -->',
    '',
    info.description,
    '',
    'Send `Authorization: Bearer <token>`. Errors are JSON `{ errorCode, message, issues? }`: 400 names every bad field, 401 means no valid token (missing, unknown, expired, revoked), 403 means the role lacks the permission.',
    '',
    '## Roles',
    '',
    '| role | permissions |',
    '|---|---|',
    ...ROLES.map((r) => `| ${r} | ${[...ROLE_PERMISSIONS[r]].map((p) => `\`${p}\``).join(', ')} |`),
    '',
  ];
  const byTag = new Map<string, string[]>();
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const tag = (op['tags'] as string[] | undefined)?.[0] ?? 'other';
      const lines: string[] = [
        `### ${method.toUpperCase()} ${path}`,
        '',
        String(op['summary']),
        '',
        `Permission \`${String(op['x-permission'])}\` (least role: ${String(op['x-least-role'])}).`,
        '',
      ];
      const params = (op['parameters'] ?? []) as Param[];
      if (params.length > 0) {
        lines.push('| parameter | in | required | schema |', '|---|---|---|---|');
        for (const p of params)
          lines.push(
            `| \`${p.name}\` | ${p.in} | ${p.required ? 'yes' : 'no'} | ${describe(p.schema)} |`,
          );
        lines.push('');
      }
      const body = op['requestBody'] as
        { content: Record<string, { schema: Record<string, unknown> }> } | undefined;
      if (body !== undefined) {
        for (const [media, { schema }] of Object.entries(body.content)) {
          const props = schema['properties'] as Record<string, Record<string, unknown>> | undefined;
          if (props === undefined) {
            lines.push(`Request body: \`${media}\` (streamed).`, '');
            continue;
          }
          const required = new Set((schema['required'] as string[] | undefined) ?? []);
          lines.push(
            `Request body (\`${media}\`):`,
            '',
            '| field | required | schema |',
            '|---|---|---|',
          );
          for (const [name, s] of Object.entries(props))
            lines.push(`| \`${name}\` | ${required.has(name) ? 'yes' : 'no'} | ${describe(s)} |`);
          lines.push('');
        }
      }
      const ok = Object.keys(op['responses'] as object).find((k) => k.startsWith('2'));
      lines.push(`Success: ${ok ?? '200'}.`, '');
      const list = byTag.get(tag) ?? [];
      list.push(lines.join('\n'));
      byTag.set(tag, list);
    }
  }
  for (const [tag, sections] of [...byTag].sort(([a], [b]) => a.localeCompare(b))) {
    out.push(`## ${tag}`, '', ...sections);
  }
  return `${out.join('\n').trimEnd()}\n`;
}
