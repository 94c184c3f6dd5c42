#!/usr/bin/env python3
"""Reads an Armature flight recording (MCAP) with the mcap package and prints what it holds as JSON.

Usage: scripts/check-recording.py FILE.mcap [--streaming]

Default (a finished recording): the seeking reader, which starts from the footer and uses the summary
(schemas, channels, chunk indexes, statistics); the summary's CRC is checked against the footer, and
the streaming reader runs over the whole file too, checking the data section's and every chunk's CRC.
--streaming (a recording cut short by a crash): only the streaming reader, which reads the file from
the front; a file without its end must still yield every chunk that was written whole. Either way every
message is checked against its channel's JSON Schema. Exits non-zero on the first problem.

Needs mcap and jsonschema, which scripts/install-python-packages puts in .venv.
"""
import collections
import json
import struct
import sys
import zlib

import jsonschema
import zstandard
from mcap.exceptions import EndOfFile
from mcap.reader import make_reader
from mcap.records import Channel, Chunk, DataEnd, Footer, Schema
from mcap.stream_reader import StreamReader, breakup_chunk

MAGIC = b"\x89MCAP0\r\n"


def framed_records(data):
    """(opcode, start, end) of each whole record after the leading magic, and whether the file ends inside one."""
    records, offset = [], len(MAGIC)
    while offset + 9 <= len(data):
        opcode, length = data[offset], struct.unpack_from("<Q", data, offset + 1)[0]
        end = offset + 9 + length
        if end > len(data):
            return records, True
        records.append((opcode, offset, end))
        offset = end
        if opcode == 0x02:  # footer
            return records, data[offset:] != MAGIC
    return records, offset != len(data)


class Checker:
    def __init__(self):
        self.validators = {}
        self.topics = {}
        self.counts = collections.Counter()
        self.episodes = []
        self.rewards = collections.defaultdict(float)
        self.tip_mismatch = 0.0
        self.tips = {}
        self.arm_tips = {}
        self.recorder = None
        self.schema_names = {}
        self.metadata = None
        self.compressions = None
        self.joint_state_times = []
        self.guard_totals = collections.Counter()
        self.guard_mismatches = 0
        self.plants = {}

    def schema(self, schema):
        assert schema.encoding == "jsonschema", schema.encoding
        document = json.loads(schema.data)
        jsonschema.Draft202012Validator.check_schema(document)
        self.validators[schema.id] = jsonschema.Draft202012Validator(document)
        self.schema_names[schema.id] = schema.name

    def channel(self, channel):
        assert channel.message_encoding == "json", channel.message_encoding
        self.topics[channel.id] = (channel.topic, channel.schema_id)

    def message(self, channel_id, data, log_time):
        topic, schema_id = self.topics[channel_id]
        value = json.loads(data)
        self.validators[schema_id].validate(value)
        self.counts[topic] += 1
        if topic == "/joint_state":
            self.joint_state_times.append(log_time)
        if topic == "/episode" and value["event"] == "end":
            self.episodes.append({k: value[k] for k in ("episode", "steps", "return", "final_distance")})
        elif topic == "/episode" and "plant" in value:
            self.plants[str(value["episode"])] = value["plant"]
        elif topic == "/reach":
            self.rewards[value["episode"]] += value["reward"]
            self.tips[(value["episode"], value["step"])] = value["fingertip"]
        elif topic == "/arm":
            entity = next(e for e in value["entities"] if e["id"] == "arm")
            tip = entity["lines"][0]["points"][-1]
            labels = {pair["key"]: int(pair["value"]) for pair in entity["metadata"]}
            if "episode" in labels:
                self.arm_tips[(labels["episode"], labels["step"])] = (tip["x"], tip["y"] if tip["z"] == 0 else tip["z"])
        elif topic == "/recorder":
            self.recorder = value
        elif topic == "/guard":
            for key in ("effort_clamps", "position_cuts", "velocity_cuts", "non_finite_rejections", "wrong_size_rejections",
                        "smoothed_commands", "rate_limited_torques"):
                self.guard_totals[key] += value[key]
            # Where the guard did nothing, what was sent is exactly what it was given (the filters act before it).
            if value["total"] == 0 and value["requested_torque"] != value["torque"]:
                self.guard_mismatches += 1

    def result(self, **extra):
        # The scene's fingertip (the end of its line strip) against the task's, step by step.
        for key, reach in self.tips.items():
            x, y = self.arm_tips[key]
            self.tip_mismatch = max(self.tip_mismatch, abs(x - reach["x"]), abs(y - reach["y"]))
        return dict(
            topics=dict(self.counts), episodes=self.episodes,
            reward_sums={str(k): v for k, v in sorted(self.rewards.items())}, tip_mismatch=self.tip_mismatch,
            recorder=self.recorder, schemas=sorted(self.schema_names.values()), metadata=self.metadata,
            compressions=self.compressions, guard_totals=dict(self.guard_totals), guard_mismatches=self.guard_mismatches,
            plants=self.plants,
            joint_state_intervals=sorted({b - a for a, b in zip(self.joint_state_times, self.joint_state_times[1:])})[:10], **extra)


def streaming(path, data):
    """Reads from the front as a crash-survivor reader would; returns the checker and chunk counts."""
    checker = Checker()
    chunks = 0
    complete = False
    with open(path, "rb") as f:
        records = StreamReader(f, emit_chunks=True, validate_crcs=True).records
        try:
            for record in records:
                if isinstance(record, Schema):
                    checker.schema(record)
                elif isinstance(record, Channel):
                    checker.channel(record)
                elif isinstance(record, Chunk):
                    chunks += 1
                    for inner in breakup_chunk(record, validate_crc=True):
                        if isinstance(inner, Schema):
                            checker.schema(inner)
                        elif isinstance(inner, Channel):
                            checker.channel(inner)
                        else:
                            checker.message(inner.channel_id, inner.data, inner.log_time)
                elif isinstance(record, Footer):
                    complete = True
        except (EndOfFile, struct.error):
            # The file ends (a crash cut it short), between records or inside one: acceptable only if every
            # chunk that is in the file whole was read, checked below. A finished file must reach its footer.
            pass
    framed, torn = framed_records(data)
    whole_chunks = sum(1 for opcode, _, _ in framed if opcode == 0x06)
    assert chunks == whole_chunks, f"the streaming reader read {chunks} chunks of the {whole_chunks} written whole"
    return checker, chunks, complete, torn


def check_indexes(data, chunk_indexes, summary_start, offsets_start, footer_at):
    """What a viewer seeks with, checked against the records it points to: each chunk index names a
    chunk record of its length, each message index entry a message of that channel and log time at its
    offset in the chunk, and each summary offset a run of records of its opcode."""
    for index in chunk_indexes:
        at = index.chunk_start_offset
        assert data[at] == 0x06, f"chunk index points at opcode {data[at]} (offset {at})"
        assert 9 + struct.unpack_from("<Q", data, at + 1)[0] == index.chunk_length, "chunk length mismatch"
        size = struct.unpack_from("<Q", data, at + 9 + 16)[0]
        name_length = struct.unpack_from("<I", data, at + 9 + 28)[0]
        compression = data[at + 9 + 32:at + 9 + 32 + name_length].decode()
        assert compression == index.compression, "chunk index names another compression"
        stored_length = struct.unpack_from("<Q", data, at + 9 + 32 + name_length)[0]
        assert stored_length == index.compressed_size and size == index.uncompressed_size, "chunk sizes differ from the index"
        stored = data[at + 9 + 40 + name_length:at + 9 + 40 + name_length + stored_length]
        chunk = zstandard.ZstdDecompressor().decompress(stored, max_output_size=size) if compression == "zstd" else stored
        assert compression in ("zstd", ""), compression
        assert len(chunk) == size, "chunk does not decompress to its size"
        total = 0
        for channel, offset in index.message_index_offsets.items():
            assert data[offset] == 0x07, f"message index for channel {channel} points at opcode {data[offset]}"
            assert struct.unpack_from("<H", data, offset + 9)[0] == channel
            length = struct.unpack_from("<I", data, offset + 11)[0]
            for i in range(length // 16):
                log_time, message_offset = struct.unpack_from("<QQ", data, offset + 15 + 16 * i)
                m = message_offset
                assert chunk[m] == 0x05, "message index entry does not point at a message"
                assert struct.unpack_from("<H", chunk, m + 9)[0] == channel, "message index entry on another channel"
                assert struct.unpack_from("<Q", chunk, m + 9 + 6)[0] == log_time, "message index time mismatch"
                assert index.message_start_time <= log_time <= index.message_end_time, "message outside its chunk's times"
            total += 9 + struct.unpack_from("<Q", data, offset + 1)[0]
        assert total == index.message_index_length, "message index length mismatch"
    at = offsets_start
    while at < footer_at:
        assert data[at] == 0x0E, "expected a summary offset record"
        opcode, start, length = struct.unpack_from("<BQQ", data, at + 9)
        assert summary_start <= start and start + length <= offsets_start, "summary offset outside the summary"
        position = start
        while position < start + length:
            assert data[position] == opcode, f"summary group {opcode:#x} holds opcode {data[position]:#x}"
            position += 9 + struct.unpack_from("<Q", data, position + 1)[0]
        assert position == start + length, "summary group length mismatch"
        at += 9 + struct.unpack_from("<Q", data, at + 1)[0]


def seeking(path, data):
    checker = Checker()
    with open(path, "rb") as f:
        reader = make_reader(f, validate_crcs=True)
        summary = reader.get_summary()
        assert summary is not None and summary.statistics is not None, "no summary"
        assert summary.chunk_indexes, "no chunk indexes"
        for schema in summary.schemas.values():
            checker.schema(schema)
        for channel in summary.channels.values():
            checker.channel(channel)
        for schema, channel, message in reader.iter_messages(log_time_order=True):
            checker.message(channel.id, message.data, message.log_time)
        stats = summary.statistics
        metadata = {record.name: record.metadata for record in reader.iter_metadata()}
        assert len(summary.metadata_indexes) == stats.metadata_count == len(metadata), "metadata not indexed"
        checker.metadata = metadata.get("armature")
    # The footer's CRC covers the summary, the summary offsets and the footer up to the CRC field.
    footer_at = len(data) - len(MAGIC) - 29
    summary_start, offsets_start, crc = struct.unpack_from("<QQI", data, footer_at + 9)
    assert data[footer_at] == 0x02, "no footer before the trailing magic"
    assert offsets_start > summary_start > 0, "no summary offsets"
    assert zlib.crc32(data[summary_start:footer_at + 9 + 16]) == crc, "summary CRC mismatch"
    check_indexes(data, summary.chunk_indexes, summary_start, offsets_start, footer_at)
    counts = {checker.topics[c][0]: n for c, n in stats.channel_message_counts.items() if n}
    assert counts == dict(checker.counts), f"statistics {counts} but read {dict(checker.counts)}"
    assert stats.message_count == sum(checker.counts.values())
    assert stats.chunk_count == len(summary.chunk_indexes)
    checker.compressions = sorted({index.compression for index in summary.chunk_indexes})
    return checker, stats.chunk_count


def main():
    args = sys.argv[1:]
    if not args or args[0] in ("-h", "--help") or len(args) > 2 or (len(args) == 2 and args[1] != "--streaming"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    path = args[0]
    with open(path, "rb") as f:
        data = f.read()
    assert data.startswith(MAGIC), "not an MCAP file"
    stream, chunks, complete, torn = streaming(path, data)
    if len(args) == 2:
        print(json.dumps(stream.result(chunks=chunks, complete=complete, torn_tail=torn)))
        return 0
    assert complete and not torn, "the recording has no footer: it was not closed (use --streaming)"
    checker, chunk_count = seeking(path, data)
    assert dict(checker.counts) == dict(stream.counts), "the seeking and streaming readers disagree"
    print(json.dumps(checker.result(chunks=chunk_count, complete=True, torn_tail=False)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
