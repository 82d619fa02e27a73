/**
 * The device agent's configuration (`/etc/cairn/agent.json`), as validated. Every path
 * is absolute (relative paths in the file are resolved against the file's directory).
 */
export interface AgentConfig {
  /** The product this device is: an update must name the same vendor and class. */
  readonly device: {
    readonly vendorId: Uint8Array;
    readonly classId: Uint8Array;
  };
  readonly trust: TrustConfig;
  /** Slot name → block device or file, e.g. { "A": "/dev/mmcblk0p2", "B": "/dev/mmcblk0p3" }. */
  readonly slots: Readonly<Record<string, string>>;
  readonly bootedSlot: BootedSlotConfig;
  readonly boot: BootConfig;
  readonly counter: CounterConfig;
  /** Where the agent keeps its state file and install log. */
  readonly dataDir: string;
  readonly healthCheck?: HealthCheckConfig;
  readonly ddi?: DdiConfig;
  /** Largest envelope+proof header accepted from a bundle (bytes). */
  readonly maxHeaderBytes?: number;
}

export interface TrustConfig {
  /** PEM files: public keys or CA certificates the device trusts. */
  readonly anchors: readonly string[];
  /** SPKI SHA-256 pins (hex or base64). */
  readonly pins: readonly string[];
  /** DER or PEM CRL files checked against every certificate of the signing chain. */
  readonly crls: readonly string[];
  readonly transparency?: {
    /** Refuse bundles without a transparency proof. */
    readonly required: boolean;
    /** The log's checkpoint key, C2SP vkey form `<name>+<key id>+<base64>`. */
    readonly verifierKey: string;
    /** Expected checkpoint origin line (default: the key name). */
    readonly origin?: string;
  };
}

export type BootedSlotConfig =
  /** `rauc.slot=` or `cairn.slot=` on the kernel command line (default /proc/cmdline). */
  | { readonly source: 'cmdline'; readonly path: string }
  /** Always this slot (tests, single-slot bring-up). */
  | { readonly source: 'fixed'; readonly slot: string }
  /** The slot name is the (trimmed) content of a file. */
  | { readonly source: 'file'; readonly path: string };

export type BootConfig =
  | {
      readonly backend: 'uboot';
      /** fw_env.config path (default: the tools' own, /etc/fw_env.config). */
      readonly config?: string;
      /** `name=value` defaults used when the environment is blank or fails its CRC. */
      readonly defaultEnv?: string;
      readonly attempts: number;
    }
  | { readonly backend: 'grub'; readonly envFile: string; readonly attempts: number }
  | { readonly backend: 'script'; readonly path: string }
  /** A `name=value` file written atomically (development boards, simulations). */
  | { readonly backend: 'file'; readonly path: string; readonly attempts: number };

export type CounterConfig =
  | {
      readonly backend: 'tpm';
      /** e.g. "device:/dev/tpmrm0" or "swtpm:host=127.0.0.1,port=2321". */
      readonly tcti?: string;
      readonly counterIndex?: number;
      readonly baseIndex?: number;
    }
  | { readonly backend: 'file'; readonly dir: string };

export interface HealthCheckConfig {
  /** Executable run after a trial boot; exit status 0 means healthy. */
  readonly command: string;
  readonly args: readonly string[];
  readonly timeoutSeconds: number;
}

export interface DdiConfig {
  /** Server base URL, e.g. https://updates.example.com */
  readonly url: string;
  readonly tenant: string;
  readonly controllerId: string;
  /** Target security token (`Authorization: TargetToken …`); or tokenFile. */
  readonly token?: string;
  readonly tokenFile?: string;
  /** Gateway token instead of a per-device token. */
  readonly gatewayToken?: string;
  /** PEM CA bundle the server's TLS certificate must chain to. */
  readonly ca?: string;
  /** PEM client certificate and key for mutual TLS. */
  readonly clientCert?: string;
  readonly clientKey?: string;
}

export const DEFAULT_CONFIG_PATH = '/etc/cairn/agent.json';
export const DEFAULT_DATA_DIR = '/var/lib/cairn';
/** Largest configuration file read (bytes). */
export const MAX_CONFIG_BYTES = 256 * 1024;
