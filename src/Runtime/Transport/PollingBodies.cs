namespace Channels.Transport;

/// <summary>The HTTP side of long-polling bodies: reading a POST within the payload bound, writing a GET's answer.</summary>
internal static class PollingBodies
{
    /// <summary>Reads a POST body of at most <paramref name="max"/> bytes; null when it is larger.</summary>
    public static async Task<byte[]?> ReadAsync(HttpContext http, int max)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await http.Request.Body.ReadAsync(chunk, http.RequestAborted)) > 0)
        {
            if (buffer.Length + read > max)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    /// <summary>Answers a GET with a body of packets.</summary>
    public static Task WriteAsync(HttpContext http, ReadOnlyMemory<byte> body)
    {
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = "text/plain; charset=UTF-8";
        http.Response.ContentLength = body.Length;
        return http.Response.Body.WriteAsync(body).AsTask();
    }
}
