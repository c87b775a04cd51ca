/** A pybal.conf service section for in-process Daemon tests: VIP 10.255.7.1, an IdleConnection check, a file pool. */
export const idleService = (name: string, port: number, pool: string, extra = ''): string => `[${name}]
protocol = tcp
ip = 10.255.7.1
port = ${port}
scheduler = wrr
config = file://${pool}
monitors = [ "IdleConnection" ]
${extra}`;
