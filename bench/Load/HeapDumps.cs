using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Channels.Bench.Load;

/// <summary>
/// Managed heap dumps (<c>dotnet-gcdump</c>) of a JIT server at the two points of the marginal idle-memory
/// scenario (the harness's <c>--gcdump</c>), and the difference between them by type, per connection. The
/// tool is installed into <c>artifacts/tools</c> on first use, at the version of docs (nuget.tsv).
/// Taking a dump forces a collection and opens an EventPipe session in the server, so it is asked for in
/// its own run, not in the one whose RSS goes into the table.
/// </summary>
internal sealed partial class HeapDumps(string root)
{
    public const string ToolVersion = "10.0.750501";

    private readonly Dictionary<(string Server, bool Polling), List<(int Connections, string File)>> _dumps = [];

    private string Tool => Path.Combine(root, "artifacts", "tools", "dotnet-gcdump-" + ToolVersion, "dotnet-gcdump");

    public async Task TakeAsync(ServerKind kind, ServerProcess server, int connections, bool polling)
    {
        if (!kind.IsManagedJit || server.ProcessId == 0)
        {
            return;
        }

        await EnsureToolAsync();
        var directory = Path.Combine(root, "artifacts", "gcdump");
        Directory.CreateDirectory(directory);
        var file = Path.Combine(directory, $"{kind.Name}-{(polling ? "polling" : "websocket")}-{connections}-{DateTime.UtcNow:HHmmss}.gcdump");
        var (code, output) = await RunAsync(Tool, $"collect -p {server.ProcessId} -o \"{file}\"");
        if (code != 0 || !File.Exists(file))
        {
            throw new InvalidOperationException($"dotnet-gcdump collect failed ({code}): {output}");
        }

        var key = (kind.Label, polling);
        if (!_dumps.TryGetValue(key, out var list))
        {
            _dumps[key] = list = [];
        }

        list.Add((connections, file));
    }

    /// <summary>For each server and transport, the types whose total grew the most between the first and last dump, per connection added.</summary>
    public async Task PrintAsync(int rows = 30)
    {
        foreach (var ((server, polling), list) in _dumps)
        {
            if (list.Count < 2)
            {
                continue;
            }

            var (lowCount, lowFile) = list[0];
            var (highCount, highFile) = list[^1];
            var low = await ReportAsync(lowFile);
            var high = await ReportAsync(highFile);
            var added = (double)(highCount - lowCount);
            var diff = high.Keys.Union(low.Keys)
                .Select(type =>
                {
                    var (hb, hc) = high.GetValueOrDefault(type);
                    var (lb, lc) = low.GetValueOrDefault(type);
                    return (Type: type, Bytes: (hb - lb) / added, Count: (hc - lc) / added);
                })
                .OrderByDescending(t => t.Bytes)
                .ToList();
            var total = diff.Sum(t => t.Bytes);
            Console.WriteLine();
            Console.WriteLine($"Managed heap per connection added, {server}, {(polling ? "long-polling" : "WebSocket")}, {lowCount:N0} → {highCount:N0} ({Path.GetFileName(lowFile)}, {Path.GetFileName(highFile)}): {total:N0} B in all, {diff.Sum(t => t.Count):N1} objects");
            Console.WriteLine();
            Console.WriteLine("| type | bytes per connection | objects per connection |");
            Console.WriteLine("|---|---:|---:|");
            foreach (var t in diff.Where(t => Math.Abs(t.Bytes) >= 1).Take(rows))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| `{t.Type}` | {t.Bytes:N0} | {t.Count:N2} |"));
            }

            Console.WriteLine();
        }
    }

    /// <summary>Bytes and objects by type, from <c>dotnet-gcdump report</c>.</summary>
    private async Task<Dictionary<string, (long Bytes, long Count)>> ReportAsync(string file)
    {
        var (code, output) = await RunAsync(Tool, $"report \"{file}\"");
        if (code != 0)
        {
            throw new InvalidOperationException($"dotnet-gcdump report failed ({code}): {output}");
        }

        var types = new Dictionary<string, (long, long)>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n'))
        {
            var match = ReportLine().Match(line);
            if (match.Success)
            {
                // The first column is the size of one object (for arrays and strings bucketed by size, the
                // bucket's average); a type listed on several lines (size buckets, modules) is summed.
                var type = match.Groups[3].Value.Trim();
                var size = long.Parse(match.Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
                var objects = long.Parse(match.Groups[2].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
                var (bytes, count) = types.GetValueOrDefault(type);
                types[type] = (bytes + (size * objects), count + objects);
            }
        }

        return types;
    }

    private async Task EnsureToolAsync()
    {
        if (File.Exists(Tool))
        {
            return;
        }

        var (code, output) = await RunAsync("dotnet", $"tool install dotnet-gcdump --version {ToolVersion} --tool-path \"{Path.GetDirectoryName(Tool)}\"");
        if (code != 0)
        {
            throw new InvalidOperationException($"dotnet tool install dotnet-gcdump failed ({code}): {output}");
        }
    }

    private static async Task<(int Code, string Output)> RunAsync(string file, string arguments)
    {
        var info = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{file} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>
    /// "   224    10,000  Some.Type  [Module.dll]" or "  2,887  68  System.Byte[] (Bytes > 1K)  [Module.dll]" (size
    /// of one object, count, type, size bucket, module), as <c>dotnet-gcdump report</c> prints.
    /// </summary>
    [GeneratedRegex(@"^\s*([\d,]+)\s+([\d,]+)\s+(\S.*?)\s*(\(Bytes > [^)]*\))?\s*(\[[^\]]*\])?\s*$")]
    private static partial Regex ReportLine();
}
