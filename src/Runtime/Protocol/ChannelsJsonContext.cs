using System.Text.Json;
using System.Text.Json.Serialization;

namespace Channels.Protocol;

/// <summary>
/// Type information for the values the runtime itself writes, and common primitives, so that they serialize
/// under NativeAOT. The binary types are here so that a buffer held as <c>object</c> (in a dictionary, a list)
/// still resolves, and goes out as an attachment.
/// </summary>
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(double))]
[JsonSerializable(typeof(decimal))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(Guid))]
[JsonSerializable(typeof(DateTime))]
[JsonSerializable(typeof(DateTimeOffset))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(byte[]))]
[JsonSerializable(typeof(ReadOnlyMemory<byte>))]
[JsonSerializable(typeof(Memory<byte>))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(ChannelAck))]
internal sealed partial class ChannelsJsonContext : JsonSerializerContext;
