using System.CommandLine;
using System.CommandLine.Parsing;
using Mesh.Cli.Client;
using Mesh.Cli.Output;

namespace Mesh.Cli.Commands;

/// <summary>What a verb's body gets: a client for the resolved endpoint, the output format and the writers.</summary>
public sealed record Invocation(ParseResult Parse, AdminClient Client, OutputFormat Format, TextWriter Out, TextWriter Error)
{
    /// <summary>
    /// True when the user named the endpoint (command line or $MESHCTL_ENDPOINT); false when <see cref="Client"/> talks to
    /// the built-in default, which a verb may replace with a better guess (<c>zc</c> asks every node of a local mesh).
    /// </summary>
    public bool EndpointGiven { get; init; }

    /// <summary>A client for another member's endpoint, built like <see cref="Client"/> (same handler and timeout); the caller disposes it.</summary>
    public Func<MeshEndpoint, AdminClient> Connect { get; init; } = endpoint => new AdminClient(endpoint);

    /// <summary>The environment meshctl was started with (injected in tests).</summary>
    public Func<string, string?> GetEnvironment { get; init; } = Environment.GetEnvironmentVariable;
}

/// <summary>A usage problem only detectable at invocation time (e.g. a bad MESHCTL_ENDPOINT); exit 1 like parse errors.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>
/// The options every verb shares (endpoint, output format) and the one place that turns failures into
/// a single "meshctl: ..." line plus exit code — so no verb can leak a stack trace.
/// </summary>
public sealed class CommandContext
{
    private readonly Func<string, string?> _getEnvironment;
    private readonly Func<HttpMessageHandler>? _handlerFactory;
    private readonly TimeSpan? _requestTimeout;

    public CommandContext(TextWriter stdout, TextWriter stderr, Func<string, string?> getEnvironment,
        Func<HttpMessageHandler>? handlerFactory = null, TimeSpan? requestTimeout = null)
    {
        Out = stdout;
        Error = stderr;
        _getEnvironment = getEnvironment;
        _handlerFactory = handlerFactory;
        _requestTimeout = requestTimeout;

        // pbm's positional form `meshctl HOST:PORT cluster show`: an optional argument on the root command.
        // System.CommandLine recognises subcommand names during tokenization, so a token that is not a verb
        // before the verb lands here and the subcommand still parses after it.
        // It stays a string: System.CommandLine validates only the invoked (innermost) command's arguments, so a
        // CustomParser error here would surface as an exception from GetValue once a verb follows. The validator
        // covers `meshctl bogus` (root invoked); ResolveEndpoint covers `meshctl bogus cluster show`.
        EndpointArgument = new Argument<string?>("HOST:PORT")
        {
            Description = $"Command endpoint of a mesh member (default: ${MeshEndpoint.EnvironmentVariable} or {MeshEndpoint.Default})",
            Arity = ArgumentArity.ZeroOrOne,
        };
        EndpointArgument.Validators.Add(result =>
        {
            if (result.Tokens.Count == 1 && PositionalEndpointError(result.Tokens[0].Value) is { } error)
                result.AddError(error);
        });
        EndpointOption = new Option<MeshEndpoint?>("--endpoint", "-e")
        {
            Description = "Command endpoint of a mesh member, HOST:PORT (same as the positional form)",
            HelpName = "HOST:PORT",
            Recursive = true,
            CustomParser = ParseEndpointOption,
        };
        OutputOption = new Option<string>("--output", "-o")
        {
            Description = "Output format: table (alias short), json or yaml",
            DefaultValueFactory = _ => "table",
            Recursive = true,
        };
        OutputOption.AcceptOnlyFromAmong("table", "short", "json", "yaml");
    }

    private readonly List<Argument<string?>> _trailingEndpoints = [];

    public TextWriter Out { get; }
    public TextWriter Error { get; }
    public Argument<string?> EndpointArgument { get; }
    public Option<MeshEndpoint?> EndpointOption { get; }
    public Option<string> OutputOption { get; }

    /// <summary>
    /// Lets a verb also take the endpoint last (<c>meshctl x authz check --from .. --to .. HOST:PORT</c>); it counts as
    /// the positional endpoint, so giving it together with a different one before the verb is an error.
    /// </summary>
    public Argument<string?> AddTrailingEndpoint(Command command)
    {
        var argument = new Argument<string?>("HOST:PORT")
        {
            Description = "Command endpoint of a mesh member (same as the positional form before the verb)",
            Arity = ArgumentArity.ZeroOrOne,
        };
        argument.Validators.Add(result =>
        {
            if (result.Tokens.Count == 1 && PositionalEndpointError(result.Tokens[0].Value) is { } error)
                result.AddError(error);
        });
        command.Arguments.Add(argument);
        _trailingEndpoints.Add(argument);
        return argument;
    }

    /// <summary>Sets <paramref name="command"/>'s action to <paramref name="body"/>, wrapped in endpoint resolution and error reporting.</summary>
    public void SetAction(Command command, Func<Invocation, CancellationToken, Task<int>> body) =>
        command.SetAction((parse, ct) => RunAsync(parse, body, ct));

    private async Task<int> RunAsync(ParseResult parse, Func<Invocation, CancellationToken, Task<int>> body, CancellationToken ct)
    {
        try
        {
            var (endpoint, given) = ResolveEndpoint(parse);
            var format = parse.GetValue(OutputOption) switch
            {
                "json" => OutputFormat.Json,
                "yaml" => OutputFormat.Yaml,
                _ => OutputFormat.Table,
            };
            using var client = new AdminClient(endpoint, _handlerFactory?.Invoke(), _requestTimeout);
            return await body(new Invocation(parse, client, format, Out, Error)
            {
                EndpointGiven = given,
                Connect = other => new AdminClient(other, _handlerFactory?.Invoke(), _requestTimeout),
                GetEnvironment = _getEnvironment,
            }, ct);
        }
        catch (UsageException e)
        {
            Error.WriteLine($"meshctl: {e.Message}");
            return ExitCodes.Failure;
        }
        catch (AdminClientException e)
        {
            Error.WriteLine($"meshctl: {e.Message}");
            return e.ExitCode;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return ExitCodes.Interrupted;
        }
        catch (Exception e)
        {
            // Last resort: a bug should still read as one line, not a stack trace.
            Error.WriteLine($"meshctl: unexpected error: {e.Message}");
            return ExitCodes.Failure;
        }
    }

    /// <summary>
    /// Precedence: command line (positional or --endpoint, not both) → $MESHCTL_ENDPOINT → 127.0.0.1:9110; Given is false
    /// only for the last.
    /// </summary>
    private (MeshEndpoint Endpoint, bool Given) ResolveEndpoint(ParseResult parse)
    {
        var positionalText = parse.GetValue(EndpointArgument);
        foreach (var trailing in _trailingEndpoints)
        {
            if (parse.GetResult(trailing) is null || parse.GetValue(trailing) is not { } text) continue;
            if (positionalText is not null && positionalText != text)
                throw new UsageException($"endpoint given twice ({positionalText} and {text}); use one");
            positionalText = text;
        }
        MeshEndpoint? positional = null;
        if (positionalText is not null)
        {
            if (PositionalEndpointError(positionalText) is { } positionalError)
                throw new UsageException(positionalError);
            MeshEndpoint.TryParse(positionalText, out var parsed, out _);
            positional = parsed;
        }

        var option = parse.GetValue(EndpointOption);
        if (positional is not null && option is not null && positional != option)
            throw new UsageException($"endpoint given twice ({positional} and --endpoint {option}); use one");
        if ((positional ?? option) is { } explicitEndpoint)
            return (explicitEndpoint, true);

        var fromEnvironment = _getEnvironment(MeshEndpoint.EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(fromEnvironment))
            return (MeshEndpoint.Default, false);
        return MeshEndpoint.TryParse(fromEnvironment.Trim(), out var endpoint, out var error)
            ? (endpoint, true)
            : throw new UsageException($"{MeshEndpoint.EnvironmentVariable}: {error}");
    }

    private static string? PositionalEndpointError(string text)
    {
        // A bare word here is far more likely a mistyped verb than a host without port.
        if (!text.Contains(':'))
            return $"'{text}' is neither a command nor a HOST:PORT endpoint. See 'meshctl --help'.";
        return MeshEndpoint.TryParse(text, out _, out var error) ? null : error;
    }

    private static MeshEndpoint? ParseEndpointOption(ArgumentResult result) =>
        ParseEndpoint(result, result.Tokens.Single().Value);

    private static MeshEndpoint? ParseEndpoint(ArgumentResult result, string text)
    {
        if (MeshEndpoint.TryParse(text, out var endpoint, out var error))
            return endpoint;
        result.AddError(error);
        return null;
    }
}
