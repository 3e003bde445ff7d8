// A real WebDAV server (npm webdav-server) on 127.0.0.1, serving a folder, with one Basic-auth user. Run in
// its own process so the kit's memory measurement sees the plugin alone. Prints the port, then serves until
// its stdin closes.
import webdav from 'webdav-server';

const [root, username, password] = process.argv.slice(2);
const users = new webdav.v2.SimpleUserManager();
const user = users.addUser(username, password, false);
const privileges = new webdav.v2.SimplePathPrivilegeManager();
privileges.setRights(user, '/', ['all']);
const server = new webdav.v2.WebDAVServer({
  hostname: '127.0.0.1',
  port: 0,
  requireAuthentification: true,
  httpAuthentication: new webdav.v2.HTTPBasicAuthentication(users, 'deskrec test'),
  privilegeManager: privileges,
  rootFileSystem: new webdav.v2.PhysicalFileSystem(root),
});
server.start((http) => {
  process.stdout.write(`${http.address().port}\n`);
});
process.stdin.resume();
process.stdin.on('end', () => server.stop(() => process.exit(0)));
