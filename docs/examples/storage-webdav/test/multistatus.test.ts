import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseMultistatus } from '../src/multistatus.js';

test('namespace prefixes, absolute and relative hrefs, collections and sizes', () => {
  const xml = `<?xml version="1.0"?>
<D:multistatus xmlns:D="DAV:">
  <D:response><D:href>https://dav.example.com/rec/</D:href>
    <D:propstat><D:prop><D:resourcetype><D:collection/></D:resourcetype></D:prop></D:propstat></D:response>
  <D:response><D:href>/rec/a%20b%23c.mp4</D:href>
    <D:propstat><D:prop><D:resourcetype/><D:getcontentlength>1234</D:getcontentlength>
    <D:getlastmodified>Mon, 05 Jan 2026 10:00:00 GMT</D:getlastmodified></D:prop></D:propstat></D:response>
</D:multistatus>`;
  const [folder, file] = parseMultistatus(xml);
  assert.equal(folder, { path: '/rec/', collection: true, size: 0 });
  assert.equal(file?.path, '/rec/a b#c.mp4');
  assert.is(file?.size, 1234);
  assert.is(file?.modifiedAt?.toISOString(), '2026-01-05T10:00:00.000Z');
});

test('no prefix (default namespace) and XML escapes in the href', () => {
  const xml =
    '<multistatus xmlns="DAV:"><response><href>/x/Tom&amp;Jerry.mp4</href><propstat><prop><resourcetype></resourcetype><getcontentlength>5</getcontentlength></prop></propstat></response></multistatus>';
  assert.equal(parseMultistatus(xml), [{ path: '/x/Tom&Jerry.mp4', collection: false, size: 5 }]);
});

test.run();
