import { type HostileCase, refused } from './hostile-case';

/**
 * The media library's static files (/library, issue 15 item 1): nothing outside the built folder is ever served,
 * whether or not the web app has been built (either way these are a Contentful-shaped 404), and the guards every
 * route has still apply. Serving itself is tested in test/library-static.e2e-spec.ts.
 */
export function libraryCases(): HostileCase[] {
  return [
    refused('library: a query with a NUL', 'GET', '/library?x=%00', 400, 'BadRequest'),
    refused('library: a path segment with a control character', 'GET', '/library/index.html%0a', 400, 'BadRequest'),
    refused('library: climbing out with encoded dots', 'GET', '/library/%2e%2e/package.json', 404, 'NotFound'),
    refused('library: climbing out with an encoded slash', 'GET', '/library/assets/..%2f..%2f..%2fpackage.json', 404, 'NotFound'),
    refused('library: climbing out with backslashes', 'GET', '/library/..%5c..%5cpackage.json', 404, 'NotFound'),
    refused('library: a dot file', 'GET', '/library/.env', 404, 'NotFound'),
    refused('library: an absolute path in a segment', 'GET', '/library/%2fetc%2fpasswd', 404, 'NotFound'),
    refused('library: a file that is not there', 'GET', '/library/assets/no-such-file.js', 404, 'NotFound'),
    refused('library: writing to it', 'POST', '/library/index.html', 404, 'NotFound'),
  ];
}
