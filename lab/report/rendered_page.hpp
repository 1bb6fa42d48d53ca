#pragma once
// Every page the lab writes (a run's, a doctor's, two runs compared) is rendered here: its
// template (a file of lab/, compiled in), the report's one style sheet, and escape() as the one
// way text becomes HTML. A template that does not parse is the lab's own bug: std::logic_error,
// naming its file.
#include <string>
#include <string_view>

#include <kainjow/mustache.hpp>

namespace lab {

std::string rendered_page(std::string_view tmpl, const char* file, kainjow::mustache::data& page);

}  // namespace lab
