using System.CommandLine;
using Mesh.Cli.Local;

namespace Mesh.Cli.Commands.Local;

/// <summary>Options shared by the local verbs.</summary>
internal sealed class LocalOptions(Func<string, string?> getEnvironment)
{
    public Option<string?> StateDir { get; } = new("--state-dir")
    {
        Description = "State directory (default /var/lib/meshactors/local as root, else $XDG_STATE_HOME/meshactors/local)",
        HelpName = "DIR",
    };

    public LocalLayout Layout(ParseResult parse) =>
        new(Path.GetFullPath(parse.GetValue(StateDir) ?? LocalLayout.DefaultStateDir(Posix.IsRoot, getEnvironment)));
}
