"""Decode the corpus blocks' extrinsics and System.Events with Python's scalecodec (the codec
substrate-interface uses), for comparison with runtime-exporter's decoder in the same run.

Usage: python3 scalecodec_decode.py CHAINDATA_DIR [SECONDS_PER_BLOCK]
Prints a line `scalecodec_blocks_per_second N`."""
import json
import os
import sys
import time

from scalecodec.base import RuntimeConfigurationObject, ScaleBytes
from scalecodec.type_registry import load_type_registry_preset


def runtime_for(metadata_path):
    config = RuntimeConfigurationObject()
    config.update_type_registry(load_type_registry_preset("core"))
    config.update_type_registry(load_type_registry_preset("legacy"))
    with open(metadata_path, "rb") as f:
        metadata = config.create_scale_object("MetadataVersioned", data=ScaleBytes(f.read()))
    metadata.decode()
    config.add_portable_registry(metadata)
    events_type = metadata.get_metadata_pallet("System").get_storage_function("Events").get_value_type_string()
    return config, metadata, events_type


def decode_block(config, metadata, events_type, extrinsics, events):
    for hex_extrinsic in extrinsics:
        extrinsic = config.create_scale_object("Extrinsic", data=ScaleBytes(hex_extrinsic), metadata=metadata)
        extrinsic.decode()
    if events is not None:
        records = config.create_scale_object(events_type, data=ScaleBytes(events), metadata=metadata)
        records.decode()


def main():
    root = sys.argv[1]
    seconds_per_block = float(sys.argv[2]) if len(sys.argv) > 2 else 2.0
    blocks_dir = os.path.join(root, "blocks", "polkadot")
    total_blocks, total_seconds = 0, 0.0
    print("  block        blocks/s   ms/block")
    for folder in sorted(os.listdir(blocks_dir)):
        block_path = os.path.join(blocks_dir, folder, "block.json")
        if not os.path.exists(block_path):
            continue
        with open(os.path.join(blocks_dir, folder, "expected.json")) as f:
            metadata_file = json.load(f)["metadata_file"]
        config, metadata, events_type = runtime_for(os.path.join(root, metadata_file))
        with open(block_path) as f:
            extrinsics = json.load(f)["extrinsics"]
        events_path = os.path.join(blocks_dir, folder, "events.hex")
        events = open(events_path).read().strip() if os.path.exists(events_path) else None
        decode_block(config, metadata, events_type, extrinsics, events)  # warm up
        count, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds_per_block or count == 0:
            decode_block(config, metadata, events_type, extrinsics, events)
            count += 1
        elapsed = time.perf_counter() - start
        total_blocks += count
        total_seconds += elapsed
        print(f"  {folder:<12} {count / elapsed:<10.1f} {elapsed / count * 1000:.1f}")
    print(f"scalecodec_blocks_per_second {total_blocks / total_seconds:.1f}")


if __name__ == "__main__":
    main()
