// Every relative link in the README and the docs points at a file that exists,
// so a reader on GitHub or in an editor never lands on a 404.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

function markdownFiles() {
  const out = ['README.md', 'CHANGELOG.md', 'bench/README.md'];
  const walk = (dir) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const rel = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(rel);
      else if (entry.name.endsWith('.md')) out.push(rel);
    }
  };
  walk('docs');
  walk('examples');
  return out.filter((f) => existsSync(join(root, f)));
}

/** Link targets of `[text](target)` outside code fences and inline code. */
export function relativeLinks(markdown) {
  const prose = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  const links = [];
  for (const m of prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const target = m[1] ?? '';
    if (/^([a-z][a-z0-9+.-]*:|#)/i.test(target)) continue;
    links.push(target);
  }
  return links;
}

describe('links in README and docs', () => {
  it('finds the links it checks (self-test)', () => {
    expect(relativeLinks('see [a](docs/a.md#x) and [b](https://x.y) `[c](nope.md)`')).toEqual([
      'docs/a.md#x',
    ]);
  });

  for (const file of markdownFiles()) {
    it(`${file}: every relative link resolves`, () => {
      const text = readFileSync(join(root, file), 'utf8');
      const broken = relativeLinks(text).filter((target) => {
        const path = decodeURIComponent(target.split('#')[0] ?? '');
        return path !== '' && !existsSync(join(root, dirname(file), path));
      });
      expect(broken).toEqual([]);
    });
  }
});
