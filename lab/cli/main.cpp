// lab: a teaching lab for the concurrency models of async web servers.
#include <map>

#include "lab/cli/commands.hpp"

int main(int argc, char** argv) {
    CLI::App app{
        "Concurrency Lab: watch a blocked event loop serialize requests while an awaiting "
        "one overlaps them, measured on real servers.",
        "lab"};
    app.set_version_flag("--version", "lab " LAB_VERSION);
    app.require_subcommand(1);
    std::map<CLI::App*, lab::Action> actions;
    for (const lab::Subcommand& sub : lab::subcommands()) {
        CLI::App* command = app.add_subcommand(std::string(sub.name), std::string(sub.summary));
        actions[command] = sub.define(*command);
    }
    lab::refuse_non_finite_numbers(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;  // the lab's convention: 2 means "usage"
    }
    for (auto& [command, action] : actions)
        if (command->parsed()) return action();
    return 2;
}
