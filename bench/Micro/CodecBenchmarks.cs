using System.Text;
using BenchmarkDotNet.Attributes;
using Channels.Backplane;
using Channels.Protocol;

namespace Channels.Bench.Micro;

/// <summary>Decoding and encoding typical EVENT packets: small JSON, 4 KB JSON, one binary attachment.</summary>
[MemoryDiagnoser]
public class CodecBenchmarks
{
    private static readonly byte[] Small = "2[\"message\",{\"name\":\"ada\",\"text\":\"hello\"},\"room-1\"]"u8.ToArray();
    private static readonly byte[] Large = Encoding.UTF8.GetBytes("2[\"message\",{\"text\":\"" + new string('x', 4096) + "\"},\"room-1\"]");
    private static readonly byte[] BinaryHeader = "51-[\"upload\",{\"_placeholder\":true,\"num\":0}]"u8.ToArray();
    private static readonly byte[] Attachment = new byte[1024];
    private static readonly ChatLine Line = new("ada", "hello");
    private static readonly string LargeText = new('x', 4096);
    private readonly System.Text.Json.JsonSerializerOptions _options = CreateOptions();

    [Benchmark(Description = "decode small event")]
    public bool DecodeSmall() => SocketIoParser.TryParse(Small, 10, out _, out _);

    [Benchmark(Description = "decode 4 KB event")]
    public bool DecodeLarge() => SocketIoParser.TryParse(Large, 10, out _, out _);

    [Benchmark(Description = "decode binary event header")]
    public bool DecodeBinary() => SocketIoParser.TryParse(BinaryHeader, 10, out _, out _);

    [Benchmark(Description = "encode small event")]
    public EncodedPacket EncodeSmall() => Encode(Line);

    [Benchmark(Description = "encode 4 KB event")]
    public EncodedPacket EncodeLarge() => Encode(LargeText);

    [Benchmark(Description = "encode binary event")]
    public EncodedPacket EncodeBinary() => Encode(Attachment);

    private EncodedPacket Encode<T>(T value)
    {
        var writer = PacketWriter.Rent(_options);
        writer.WriteString("message");
        writer.WriteValue(value);
        writer.WriteString("room-1");
        return writer.Finish(ack: false, "/", -1);
    }

    private static System.Text.Json.JsonSerializerOptions CreateOptions()
    {
        var options = new ChannelsOptions().JsonSerializerOptions;
        options.TypeInfoResolverChain.Insert(0, BenchJson.Default);
        return options;
    }
}

/// <summary>A typical chat payload.</summary>
public sealed record ChatLine(string Name, string Text);

[System.Text.Json.Serialization.JsonSerializable(typeof(ChatLine))]
[System.Text.Json.Serialization.JsonSerializable(typeof(byte[]))]
internal sealed partial class BenchJson : System.Text.Json.Serialization.JsonSerializerContext;
