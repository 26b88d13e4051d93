using System.Buffers;

namespace Channels.Protocol;

/// <summary>
/// The body of an HTTP long-polling request or response: packets joined with the record separator
/// <c>\x1e</c>; a binary message is written as <c>b</c> followed by its base64.
/// </summary>
internal static class PollingPayload
{
    public const byte Separator = 0x1e;

    /// <summary>Splits a POST body into packets. Returns false on the first invalid packet.</summary>
    public static bool TryDecode(ReadOnlyMemory<byte> body, List<EnginePacket> packets)
    {
        while (true)
        {
            var end = body.Span.IndexOf(Separator);
            var part = end < 0 ? body : body[..end];
            if (!EnginePacket.TryParseTextFrame(part, out var packet))
            {
                return false;
            }

            packets.Add(packet);
            if (end < 0)
            {
                return true;
            }

            body = body[(end + 1)..];
        }
    }

    /// <summary>Appends one queued item to a response body.</summary>
    public static void Encode(IBufferWriter<byte> output, in EngineFrame frame, ref bool first)
    {
        if (!frame.Text.IsEmpty)
        {
            WriteSeparator(output, ref first);
            output.Write(frame.Text.Span);
        }

        if (frame.Binary is { } binary)
        {
            for (var i = 0; i < binary.Count; i++)
            {
                WriteSeparator(output, ref first);
                var data = binary[i].Span;
                output.Advance(EngineFrame.WriteBase64(data, output.GetSpan(EngineFrame.Base64Length(data.Length))));
            }
        }
    }

    private static void WriteSeparator(IBufferWriter<byte> output, ref bool first)
    {
        if (!first)
        {
            output.GetSpan(1)[0] = Separator;
            output.Advance(1);
        }

        first = false;
    }
}
