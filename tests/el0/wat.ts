// WebAssembly text → binary for the tests (wabt), with the features the EL0 engine supports.
const wabtP = import('wabt').then((m) => m.default());

/** Compiles a module's text to its binary. */
export async function wat(text: string): Promise<Uint8Array> {
  const wabt = await wabtP;
  const m = wabt.parseWat('t.wat', text, { bulk_memory: true, sign_extension: true, sat_float_to_int: true, multi_value: true });
  try {
    return m.toBinary({}).buffer;
  } finally {
    m.destroy();
  }
}
