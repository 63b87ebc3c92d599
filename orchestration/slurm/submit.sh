#!/usr/bin/env bash
# Submits a whole run: the coordinator (migrate + plan), then, once it succeeded, a CPU
# worker array for weights and spectrum jobs and a GPU worker array for extract jobs.
#   orchestration/slurm/submit.sh --cpu-tasks 64 --gpu-tasks 8 -- --family pythia --model pythia-160m ...
# Everything after -- goes to `spectra plan`. Partitions and kinds come from the
# environment: SPECTRA_CPU_PARTITION (cpu), SPECTRA_GPU_PARTITION (gpu),
# SPECTRA_CPU_KINDS ("weights spectrum"); --gpu-tasks 0 submits no GPU array.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cpu_tasks=16
gpu_tasks=0
while [ $# -gt 0 ]; do
    case $1 in
        --cpu-tasks) cpu_tasks=$2; shift 2 ;;
        --gpu-tasks) gpu_tasks=$2; shift 2 ;;
        --) shift; break ;;
        *) echo "submit.sh: unknown option $1 (plan options go after --)" >&2; exit 64 ;;
    esac
done
export SPECTRA_SLURM_DIR=$here
coordinator=$(sbatch --parsable --export=ALL "$here/coordinator.sbatch" "$@")
echo "coordinator: $coordinator"
if [ "$cpu_tasks" -gt 0 ]; then
    cpu=$(sbatch --parsable --dependency="afterok:$coordinator" --array="0-$((cpu_tasks - 1))" \
        --partition="${SPECTRA_CPU_PARTITION:-cpu}" \
        --export="ALL,SPECTRA_KINDS=${SPECTRA_CPU_KINDS:-weights spectrum}" "$here/worker.sbatch")
    echo "cpu workers: $cpu"
fi
if [ "$gpu_tasks" -gt 0 ]; then
    gpu=$(sbatch --parsable --dependency="afterok:$coordinator" --array="0-$((gpu_tasks - 1))" \
        --partition="${SPECTRA_GPU_PARTITION:-gpu}" --export=ALL "$here/gpu-worker.sbatch")
    echo "gpu workers: $gpu"
fi
