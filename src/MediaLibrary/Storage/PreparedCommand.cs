using Microsoft.Data.Sqlite;

namespace MediaLibrary.Storage;

/// A prepared SQLite statement and the parameter names it was last bound with. SQLite binds
/// by name, so a statement sent with its parameters in another order (or another set of them)
/// gets its collection rebuilt instead of values set by position into the wrong names.
internal sealed class PreparedCommand(SqliteCommand command)
{
    private string[] _names = [];

    public SqliteCommand Command => command;

    public void Bind((string Name, object? Value)[] parameters)
    {
        if (!SameNames(parameters))
        {
            command.Parameters.Clear();
            _names = new string[parameters.Length];
            for (var i = 0; i < parameters.Length; i++)
            {
                _names[i] = parameters[i].Name;
                command.Parameters.Add(new SqliteParameter { ParameterName = parameters[i].Name });
            }
        }

        for (var i = 0; i < parameters.Length; i++)
        {
            command.Parameters[i].Value = DbSession.SqliteValue(parameters[i].Value);
        }
    }

    private bool SameNames((string Name, object? Value)[] parameters)
    {
        if (parameters.Length != _names.Length)
        {
            return false;
        }

        for (var i = 0; i < parameters.Length; i++)
        {
            if (!string.Equals(parameters[i].Name, _names[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    public void Dispose() => command.Dispose();
}
