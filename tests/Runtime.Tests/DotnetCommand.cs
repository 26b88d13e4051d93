using System.Diagnostics;

namespace Channels.Tests;

/// <summary>
/// Runs a command line (dotnet pack, new, test, publish …) to its end, bounded in time: past the bound the
/// whole process tree is killed and the output so far is in the failure. No MSBuild node outlives it.
/// </summary>
public static class DotnetCommand
{
    public static async Task<(int ExitCode, string Output)> RunAsync(string file, string arguments, string folder, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.Environment["MSBUILDNOINPROCNODE"] = "1";
        info.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        var limit = timeout ?? TimeSpan.FromMinutes(10);
        using var cts = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"{file} {arguments} took more than {limit.TotalMinutes:0} minutes:\n{await output + await error}");
        }

        return (process.ExitCode, await output + await error);
    }
}
