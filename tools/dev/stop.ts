// `npm stop`: stops the Kafka broker, the Temporal dev server and any kube-apiserver this checkout
// started (tools/infra knows them by their pid files); servers it did not start are left alone.
import { stop } from '../infra';

const USAGE = `usage: npm stop
  Stops what this checkout started under .smartscale/ (Kafka, Temporal, kube-apiservers left by tests).`;

export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) return console.log(USAGE);
  await stop();
}

if (require.main === module) {
  main().catch((err: Error) => {
    console.error(`[smartscale] stop failed: ${err.message}`);
    process.exit(1);
  });
}
