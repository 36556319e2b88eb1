import { ApiClient } from './http-client.js';
import { ADMIN, type PlatformOptions, type PlatformUnderTest, type Shape, startPlatform } from './platform.js';

export interface PlatformSession {
  platform: PlatformUnderTest;
  api: ApiClient;
  /** The bootstrap admin's access token. */
  adminToken: string;
}

/** A platform in `shape`, a client for it and the bootstrap admin logged in: what most e2e specs start from. */
export async function startSession(shape: Shape, options: PlatformOptions = {}): Promise<PlatformSession> {
  const platform = await startPlatform(shape, options);
  const api = new ApiClient(platform.url);
  try {
    return { platform, api, adminToken: (await api.login(ADMIN.email, ADMIN.password)).access_token };
  } catch (error) {
    await platform.close();
    throw error;
  }
}
