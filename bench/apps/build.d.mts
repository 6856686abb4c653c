// Types of build.mjs, for test/bundle-size.test.ts.
export declare const APPS: readonly string[];
export interface BundledApp {
  code: string | null;
  min: number | undefined;
  gzip: number | null;
  inputs: string[];
  bytesByInput: Record<string, number>;
}
export declare function bundleApp(
  name: string,
  options?: { platform?: "browser" | "node"; minify?: boolean; outfile?: string },
): Promise<BundledApp>;
