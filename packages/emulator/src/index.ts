export { type EmulatorOptions, type RunningEmulator, startEmulator } from "./emulator.js";
export { EmulatorRequestClient, emulatorHttpClient } from "./recipe.js";
export { twilioSignature } from "./core/signature.js";
