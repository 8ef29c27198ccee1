/**
 * Distils the team's upstream reference (`../shared/reference/upstream-results.json`,
 * parsed from the saved outputs of alvinrach/learn-ai-bbc's notebooks) into the
 * small file the notebooks read: `lib/upstream/upstream.json`. Only numbers and
 * short labels are kept: per-epoch histories of the runs each of our notebooks
 * mirrors, their best/final figures and the upstream commit.
 *
 * Usage: deno run -A tools/extract_upstream.ts [path/to/upstream-results.json]
 */

interface SrcEpoch {
  epoch: number;
  train_loss?: number;
  train_acc?: number;
  val_loss?: number;
  val_acc?: number;
}
interface SrcRun {
  cell_index: number;
  history: SrcEpoch[];
  early_stopping_message_printed: boolean;
}
interface SrcNotebook {
  id: string;
  path: string;
  runs: SrcRun[];
}

/** Which saved run (notebook id, cell) each of our experiments compares with. */
const RUNS: { id: string; notebook: string; cell: number; label: string }[] = [
  {
    id: "keras_main",
    notebook: "keras_main",
    cell: 14,
    label: "Keras main (Kaggle)",
  },
  {
    id: "keras_postpad_mask",
    notebook: "keras_postpad_mask",
    cell: 16,
    label: "Keras post-padding + mask",
  },
  {
    id: "keras_textvec_mask",
    notebook: "keras_textvec_mask",
    cell: 15,
    label: "Keras TextVectorization + mask",
  },
  {
    id: "keras_hf_mask",
    notebook: "keras_hf_mask",
    cell: 15,
    label: "Keras bert-base-uncased ids + mask",
  },
  {
    id: "torch_exp1_cpu_plain",
    notebook: "torch_exp1_cpu_plain",
    cell: 13,
    label: "Torch Exp 1 (CPU)",
  },
  {
    id: "archive_gpu_plain",
    notebook: "archive_pytorch_messy",
    cell: 22,
    label: "Torch archive run (Exp 1 config, GPU)",
  },
  {
    id: "torch_exp2_gpu_plain",
    notebook: "torch_exp2_gpu_plain",
    cell: 13,
    label: "Torch Exp 2 (GPU)",
  },
  {
    id: "torch_exp3_pack",
    notebook: "torch_exp3_pack",
    cell: 13,
    label: "Torch Exp 3 (pack)",
  },
  {
    id: "torch_exp4_pack_init_fb",
    notebook: "torch_exp4_pack_init_fb",
    cell: 13,
    label: "Torch Exp 4 (pack + init + forget bias)",
  },
  {
    id: "deployment_exp4_rerun",
    notebook: "deployment_exp4_rerun",
    cell: 13,
    label: "Torch Exp 4 config, deployment rerun",
  },
  {
    id: "torch_exp5_nopack_init_fb",
    notebook: "torch_exp5_nopack_init_fb",
    cell: 13,
    label: "Torch Exp 5 (no pack + init + forget bias)",
  },
  {
    id: "torch_exp6_pack_init",
    notebook: "torch_exp6_pack_init",
    cell: 13,
    label: "Torch Exp 6 (pack + init)",
  },
  {
    id: "torch_exp7_pack_fb",
    notebook: "torch_exp7_pack_fb",
    cell: 13,
    label: "Torch Exp 7 (pack + forget bias)",
  },
];

const src = Deno.args[0] ??
  new URL("../../shared/reference/upstream-results.json", import.meta.url)
    .pathname;
const doc = JSON.parse(await Deno.readTextFile(src));
const notebooks = doc.notebooks as SrcNotebook[];
const runs = RUNS.map((r) => {
  const nb = notebooks.find((n) => n.id === r.notebook);
  const run = nb?.runs.find((x) => x.cell_index === r.cell);
  if (!nb || !run) {
    throw new Error(`No run for ${r.notebook} cell ${r.cell} in ${src}`);
  }
  const history = run.history.map((h) => ({
    epoch: h.epoch,
    loss: h.train_loss ?? null,
    accuracy: h.train_acc ?? null,
    valLoss: h.val_loss ?? null,
    valAccuracy: h.val_acc ?? null,
  }));
  const acc = history.map((h) => h.valAccuracy ?? -1);
  const best = Math.max(...acc);
  return {
    id: r.id,
    label: r.label,
    notebook: nb.path,
    framework: history[0].accuracy === null ? "pytorch" : "keras",
    epochs: history.length,
    bestValAccuracy: best,
    bestEpoch: acc.indexOf(best) + 1,
    finalValAccuracy: history.at(-1)!.valAccuracy,
    finalValLoss: history.at(-1)!.valLoss,
    minValLoss: Math.min(...history.map((h) => h.valLoss ?? Infinity)),
    history,
  };
});
const out = {
  source: `${doc.meta.source_repo} @ ${doc.meta.head_commit}`,
  note:
    "Numbers as printed in the upstream notebooks' saved outputs (single unseeded runs). PyTorch losses include the double softmax (floor 0.9048) and are not comparable with Keras losses; compare accuracies.",
  runs,
};
const path = new URL("../lib/upstream/upstream.json", import.meta.url).pathname;
await Deno.writeTextFile(path, JSON.stringify(out, null, 1) + "\n");
// deno-lint-ignore no-console
console.log(`wrote ${path}: ${runs.length} runs`);
