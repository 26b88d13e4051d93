using System.Text.RegularExpressions;

namespace Channels.Tests;

/// <summary>
/// Type-checks front-end files with <c>tsc</c> (npm <c>typescript</c> of tests/Runtime.Tests/node): the files are
/// written to a temporary folder beside channels.d.ts, and <c>"/socket.io/channels.js"</c> (the path a page loads
/// the client from) is rewritten to that copy. Returns the errors per file. Strict, except that a parameter
/// without a type is <c>any</c> (a page's event handlers in checked JavaScript).
/// </summary>
public static partial class TypeScriptCheck
{
    public static string Compiler => Repo.Path("tests", "Runtime.Tests", "node", "node_modules", "typescript", "bin", "tsc");

    public static async Task<(int ExitCode, IReadOnlyList<(string File, string Code, string Message)> Errors, string Output)> RunAsync(IReadOnlyDictionary<string, string> files)
    {
        if (!File.Exists(Compiler))
        {
            throw new InvalidOperationException($"typescript is not installed: run `npm ci` in {Repo.Path("tests", "Runtime.Tests", "node")} (the README's test command does).");
        }

        var folder = Directory.CreateTempSubdirectory("channels-tsc-").FullName;
        try
        {
            File.Copy(Repo.Path("src", "Runtime", "Client", "channels.d.ts"), Path.Combine(folder, "channels.d.ts"));
            foreach (var (name, text) in files)
            {
                File.WriteAllText(Path.Combine(folder, name), text.Replace("\"/socket.io/channels.js\"", "\"./channels.js\"", StringComparison.Ordinal));
            }

            File.WriteAllText(Path.Combine(folder, "tsconfig.json"), """
                {
                  "compilerOptions": {
                    "target": "es2022",
                    "module": "es2022",
                    "moduleResolution": "bundler",
                    "lib": ["es2022", "dom"],
                    "strict": true,
                    "noImplicitAny": false,
                    "allowJs": true,
                    "checkJs": true,
                    "noEmit": true,
                    "skipLibCheck": false,
                    "pretty": false
                  },
                  "include": ["*.ts", "*.js"]
                }
                """);
            var (exitCode, output) = await DotnetCommand.RunAsync("node", $"\"{Compiler}\" -p tsconfig.json", folder, timeout: TimeSpan.FromMinutes(2));
            var errors = ErrorLine().Matches(output).Select(m => (m.Groups["file"].Value, m.Groups["code"].Value, m.Groups["message"].Value)).ToList();
            return (exitCode, errors, output);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The first inline <c>&lt;script type="module"&gt;</c> of a page.</summary>
    public static string ModuleScript(string html) =>
        ModuleScriptPattern().Match(html) is { Success: true } match ? match.Groups[1].Value : throw new InvalidOperationException("no <script type=\"module\"> in the page");

    [GeneratedRegex(@"^(?<file>[^\s(]+)\(\d+,\d+\): error (?<code>TS\d+): (?<message>.*)$", RegexOptions.Multiline)]
    private static partial Regex ErrorLine();

    [GeneratedRegex(@"<script type=""module"">(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex ModuleScriptPattern();
}
