// `lab run SCENARIO`: run a scenario's configurations, print the table, keep the files.
#include "lab/cli/command_support.hpp"

#include <iostream>
#include <memory>

#include "lab/report/claims.hpp"

namespace lab {

Action define_run(CLI::App& app) {
    struct Options {
        std::string name;
        Overrides overrides;
        bool with_fastapi = false;
        Output output;
    };
    auto o = std::make_shared<Options>();
    app.add_option("scenario", o->name, "Scenario name (see `lab list`) or a .toml file")->required();
    declare_overrides(app, o->overrides);
    app.add_flag("--with-fastapi", o->with_fastapi, "Also run each configuration on real FastAPI (uvicorn)");
    o->output.declare(app);
    return [o] {
        auto scenario = find_scenario(o->name);
        if (!scenario) return exit_usage;
        Scenario s;
        try {
            s = apply(*scenario, o->overrides);
        } catch (const std::invalid_argument& e) {
            std::cerr << "lab: " << e.what() << '\n';
            return exit_usage;
        }
        if (!o->output.open_live()) return exit_failed;  // its URL first, before the lesson
        for (const std::string& notice : s.notices) std::cerr << "lab: notice: " << notice << '\n';
        for (const std::string& notice : unused_overrides(s, o->overrides)) std::cerr << "lab: notice: " << notice << '\n';
        if (!o->output.quiet && o->output.format == "table") {  // the lesson first, while it runs
            std::string lesson = s.teaching.substr(std::min(s.teaching.size(), s.teaching.find_first_not_of(" \n")));
            Layout layout = o->output.layout();
            std::cout << wrap(with_figures(lesson.substr(0, lesson.find("\n\n")), nullptr), layout.wide ? 100'000 : layout.columns)
                      << '\n';  // its first paragraph
            std::cout.flush();
        }
        return o->output.run_and_report(o->with_fastapi ? with_fastapi(s) : s, o->overrides);
    };
}

}  // namespace lab
