using System.Buffers;
using System.Text;
using Channels.Backplane;
using Channels.Protocol;
using CsCheck;

namespace Channels.Tests.Protocol;

/// <summary>
/// Round trips through the codecs with generated inputs: whatever the server encodes, the decoders read
/// back exactly (the same decoders parse what clients send).
/// </summary>
public sealed class CodecPropertyTests
{
    private static readonly string[] Reserved = ["connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"];

    /// <summary>Text without surrogates (those cannot be encoded on their own), quotes and backslashes included.</summary>
    private static readonly Gen<string> Text = Gen.String[Gen.Char['\u0020', '\ud7ff'], 0, 24];

    private static readonly Gen<object?> Argument = Gen.OneOf<object?>(
        Text.Select(s => (object?)s),
        Gen.Int.Select(i => (object?)i),
        Gen.Bool.Select(b => (object?)b),
        Gen.Bool.Select(_ => (object?)null),
        Gen.Byte.Array[0, 32].Select(b => (object?)b));

    private static readonly Gen<string> Namespace = Gen.OneOf(Gen.Const("/"), Gen.String[Gen.Char['a', 'z'], 1, 8].Select(s => "/" + s));

    [Fact]
    public void Every_event_the_server_encodes_decodes_to_the_same_namespace_ack_name_and_arguments()
    {
        var encoder = new PacketEncoder(new ChannelsOptions().JsonSerializerOptions);
        Gen.Select(Namespace, Text.Where(n => n.Length > 0 && Array.IndexOf(Reserved, n) < 0), Argument.Array[0, 6], Gen.Long[-1, 1L << 40])
            .Sample((nsp, name, args, ackId) =>
            {
                var encoded = encoder.Event(nsp, name, args, ackId);
                var packet = Decode(encoded);

                Assert.Equal(nsp, packet.Namespace);
                Assert.Equal(ackId, packet.AckId);
                Assert.Equal(name, packet.EventName);
                var arguments = packet.Arguments!;
                Assert.Equal(args.Length, arguments.Count);
                for (var i = 0; i < args.Length; i++)
                {
                    switch (args[i])
                    {
                        case byte[] bytes:
                            Assert.True(arguments.TryGetBinary(i, out var received));
                            Assert.Equal(bytes, received.ToArray());
                            break;
                        case null:
                            Assert.Null(arguments.GetString(i));
                            break;
                        case bool flag:
                            Assert.Equal(flag ? "true" : "false", arguments.GetString(i));
                            break;
                        case int number:
                            Assert.Equal(number.ToString(System.Globalization.CultureInfo.InvariantCulture), arguments.GetString(i));
                            break;
                        case string text:
                            Assert.Equal(text, arguments.GetString(i));
                            break;
                    }
                }
            });
    }

    [Fact]
    public void A_message_with_a_channel_appended_decodes_to_the_channel_as_its_last_argument()
    {
        var encoder = new PacketEncoder(new ChannelsOptions().JsonSerializerOptions);
        Gen.Select(Namespace, Text, Text.Where(c => c.Length > 0)).Sample((nsp, message, channel) =>
        {
            var spliced = PacketEncoder.WithChannel(encoder.Message(nsp, message, channel: null), channel);
            var direct = encoder.Message(nsp, message, channel);

            Assert.Equal(direct.ToString(), spliced.ToString());
            var packet = Decode(spliced);
            Assert.Equal(channel, packet.Arguments!.GetString(1));
        });
    }

    [Fact]
    public void Polling_bodies_decode_to_the_packets_that_were_encoded()
    {
        var frame = Gen.OneOf(
            Gen.String[Gen.Char['\u0020', '\ud7ff'], 0, 40].Select(text => new EngineFrame(Encoding.UTF8.GetBytes("4" + text))),
            Gen.Byte.Array[0, 40].Select(bytes => new EngineFrame(ReadOnlyMemory<byte>.Empty, [bytes])));
        frame.Array[1, 8].Sample(frames =>
        {
            var body = new ArrayBufferWriter<byte>();
            var first = true;
            foreach (var f in frames)
            {
                PollingPayload.Encode(body, f, ref first);
            }

            var packets = new List<EnginePacket>();
            Assert.True(PollingPayload.TryDecode(body.WrittenMemory.ToArray(), packets));
            Assert.Equal(frames.Length, packets.Count);
            for (var i = 0; i < frames.Length; i++)
            {
                if (frames[i].Binary is { } binary)
                {
                    Assert.True(packets[i].IsBinary);
                    Assert.Equal(binary[0].ToArray(), packets[i].Data.ToArray());
                }
                else
                {
                    Assert.Equal(EnginePacketType.Message, packets[i].Type);
                    Assert.Equal(frames[i].Text[1..].ToArray(), packets[i].Data.ToArray());
                }
            }
        });
    }

    /// <summary>Decodes an encoded packet as a client's would be: the text frame, then each attachment.</summary>
    private static SocketIoPacket Decode(EncodedPacket encoded)
    {
        var decoder = new SocketIoDecoder(maxAttachments: 10);
        Assert.True(EnginePacket.TryParseText(encoded.Frame, out var text));
        var packet = decoder.Decode(text);
        foreach (var attachment in encoded.Attachments)
        {
            Assert.Null(packet);
            packet = decoder.Decode(EnginePacket.Binary(attachment));
        }

        return packet ?? throw new InvalidOperationException("the decoder still waits for attachments");
    }
}
