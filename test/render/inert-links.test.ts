import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {inertLinks} from '../../src/render/inert-links.js'

// Free Markdown from a record keeps its links to the web, mail and the same site, and loses every other way of
// making a link or raw HTML; code is left as it is.

describe('inertLinks', () => {
  const cases: [string, string, string][] = [
    [
      'a web link and a javascript: link',
      '[docs](https://example.com) [click](javascript:alert(1))',
      '[docs](https://example.com) [click]\\(javascript:alert(1))',
    ],
    ['an image from data:', '![x](data:image/svg+xml,<svg onload=alert(1)>)', '![x]\\(data:image/svg+xml,\\<svg onload=alert(1)>)'],
    [
      'a destination in angle brackets',
      '[x](<vbscript:msgbox(1)>) [y](<https://ok.example/a b>)',
      '[x]\\(\\<vbscript:msgbox(1)>) [y](<https://ok.example/a b>)',
    ],
    ['a destination on the next line', '[x](\n  javascript:alert(1))', '[x]\\(\n  javascript:alert(1))'],
    [
      'an encoded scheme',
      '[x](jav&#97;script:alert(1)) [y](javascript\\:alert(1)) [z](JAVASCRIPT:alert(1))',
      '[x]\\(jav&#97;script:alert(1)) [y]\\(javascript\\:alert(1)) [z]\\(JAVASCRIPT:alert(1))',
    ],
    [
      'same-site links and mail',
      '[a](#part) [b](/docs) [c](./x.md) [d](../y) [e](mailto:a@example.com) [f]()',
      '[a](#part) [b](/docs) [c](./x.md) [d](../y) [e](mailto:a@example.com) [f]()',
    ],
    ['a bare relative link', '[a](notes.md)', '[a]\\(notes.md)'],
    ['HTML after a same-site destination', '](/<script>x</script> [a](/<b>)', '](/\\<script>x\\</script> [a](/\\<b>)'],
    [
      'reference definitions',
      '[r]: javascript:alert(1)\n[s]:\n  https://ok.example\n[t]: <data:text/html,x>',
      '[r]\\: javascript:alert(1)\n[s]:\n  https://ok.example\n[t]\\: \\<data:text/html,x>',
    ],
    [
      'autolinks',
      '<https://ok.example> <mailto:a@example.com> <javascript:alert(1)> <a@example.com>',
      '<https://ok.example> <mailto:a@example.com> \\<javascript:alert(1)> \\<a@example.com>',
    ],
    [
      'raw HTML',
      '<a href="javascript:alert(1)">x</a> <img src=x onerror=alert(1)> <!-- c --> <?php ?>',
      '\\<a href="javascript:alert(1)">x\\</a> \\<img src=x onerror=alert(1)> \\<!-- c --> \\<?php ?>',
    ],
    ['comparisons are no HTML', 'a < b, 1<2, x <= y', 'a < b, 1<2, x <= y'],
    ['an escaped bracket or angle stays', '\\[x\\](javascript:1) \\<b>', '\\[x\\](javascript:1) \\<b>'],
    ['an escaped backslash before them does not', '\\\\[x](javascript:1) \\\\<b>', '\\\\[x]\\(javascript:1) \\\\\\<b>'],
    ['a code span is code', 'use `Map<K, V>` and `h[n](x)` and ``a`<b>``', 'use `Map<K, V>` and `h[n](x)` and ``a`<b>``'],
    ['an unclosed backtick is text', '`open <b>', '`open \\<b>'],
    ['a fenced block is code', '```ts\nconst a = h[n](x) as Map<K, V>\n```\n<b>', '```ts\nconst a = h[n](x) as Map<K, V>\n```\n\\<b>'],
    ['a tilde fence, closed by a longer one', '~~~\n<b>\n~~~~\n<i>', '~~~\n<b>\n~~~~\n\\<i>'],
    ['an unclosed fence runs to the end', '```\n<b>\n[x](javascript:1)', '```\n<b>\n[x](javascript:1)'],
    ['a backtick fence with a backtick in its info string is no fence', '```a`b\n<b>', '```a`b\n\\<b>'],
    ['an indented fence is not trusted', '  ```\n<b>\n  ```', '  ```\n\\<b>\n  ```'],
    ['line breaks as they were', 'a\r\n~~~\r\n<b>\r\n~~~\r\n<i>', 'a\r\n~~~\r\n<b>\r\n~~~\r\n\\<i>'],
    ['plain text', 'Chose JWT: stateless (see RFC 7519).', 'Chose JWT: stateless (see RFC 7519).'],
  ]
  for (const [name, markdown, expected] of cases) it(name, () => assert.equal(inertLinks(markdown), expected))
})
