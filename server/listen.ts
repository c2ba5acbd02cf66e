import { lookup } from 'node:dns/promises';
import type { AddressInfo, Server } from 'node:net';
import { networkInterfaces } from 'node:os';
import { StartupError } from './startup-error.ts';

/** The settings a listener's failures name: the API's, or the metrics listener's. */
export interface ListenSettings {
  port: 'PORT' | 'METRICS_PORT';
  host: 'HOST' | 'METRICS_HOST';
}
const API: ListenSettings = { port: 'PORT', host: 'HOST' };

type Interfaces = ReturnType<typeof networkInterfaces>;

/** `::ffff:10.0.0.1` is 10.0.0.1; `fe80::1%eth0` is fe80::1 (interfaces list addresses without a zone). */
const normalize = (address: string) =>
  address
    .toLowerCase()
    .replace(/%.*$/, '')
    .replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1');

/**
 * Whether this machine can listen on `address`: the wildcard addresses, the loopback range (Linux
 * answers on all of 127.0.0.0/8), or an address of one of its interfaces.
 */
export function isLocalAddress(address: string, interfaces: Interfaces = networkInterfaces()): boolean {
  const wanted = normalize(address);
  if (wanted === '0.0.0.0' || wanted === '::' || wanted === '::1' || wanted.startsWith('127.')) return true;
  return Object.values(interfaces).some((entries) =>
    (entries ?? []).some((entry) => normalize(entry.address) === wanted),
  );
}

/**
 * Checks HOST before anything is opened: it must resolve (as `listen` resolves it: the first address
 * of a lookup) to an address of this machine.
 */
export async function checkListenHost(host: string, setting: ListenSettings['host'] = 'HOST'): Promise<void> {
  let address: string;
  try {
    ({ address } = await lookup(host));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new StartupError(setting, `${setting} ${host} does not resolve to an address`, code);
  }
  if (!isLocalAddress(address)) {
    const shown = address === host ? host : `${host} (${address})`;
    throw new StartupError(setting, `${setting} ${shown} is not an address of this machine`);
  }
}

/** `server.listen` as a promise; the failures an operator fixes with a setting become StartupErrors. */
export function listen(
  server: Server,
  port: number,
  host: string,
  settings: ListenSettings = API,
): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(listenError(error, port, host, settings));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

function listenError(
  error: NodeJS.ErrnoException,
  port: number,
  host: string,
  { port: portSetting, host: hostSetting }: ListenSettings,
): Error {
  switch (error.code) {
    case 'EADDRINUSE':
      return new StartupError(
        portSetting,
        `${portSetting} ${port} is already in use on ${hostSetting} ${host}`,
        error.code,
      );
    case 'EACCES':
      return new StartupError(
        portSetting,
        `${portSetting} ${port} on ${hostSetting} ${host}: permission denied (ports below 1024 need privileges)`,
        error.code,
      );
    case 'EADDRNOTAVAIL':
      return new StartupError(
        hostSetting,
        `${hostSetting} ${host} is not an address of this machine`,
        error.code,
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new StartupError(
        hostSetting,
        `${hostSetting} ${host} does not resolve to an address`,
        error.code,
      );
    default:
      return error;
  }
}
