import t from 'tap';
import { pickToken, refusal } from './override-client.js';

t.test('the CLI picks its token and prints refusals with the server\'s message', async (t) => {
  t.equal(pickToken('abcdefghijklmnop0123\n', 'f'), 'abcdefghijklmnop0123', 'a file of one bare token');
  const two = '# ops\nalice:aaaaaaaaaaaaaaaa\nbob:bbbbbbbbbbbbbbbb\n';
  t.equal(pickToken(two, 'f'), 'aaaaaaaaaaaaaaaa', 'the first line by default');
  t.equal(pickToken(two, 'f', 'bob'), 'bbbbbbbbbbbbbbbb', '--as NAME');
  t.throws(() => pickToken(two, 'f', 'carol'), /f: no token named 'carol'/);
  t.equal(refusal(409, { error: 'depooling be1 would leave 1 of 4 servers' }), 'refused (HTTP 409): depooling be1 would leave 1 of 4 servers');
  t.equal(refusal(421, 'Host "x" is not a name of this server\n'), 'refused (HTTP 421): Host "x" is not a name of this server');
});
