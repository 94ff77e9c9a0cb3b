#pragma once
// A ticket's data to and from the `data` column of fail2ban's database: {"matches":
// [...], "failures": n, then the filter's captured groups}, as fail2ban writes it.

#include <string_view>

#include "portcullis/ban/ticket.h"
#include "portcullis/base/json.h"

namespace portcullis::server {

json::Value TicketDataJson(const ban::Ticket& ticket);
// Fills matches, failures and the text groups of `ticket` from a stored data column;
// leaves it as it is when the text is no JSON object.
void ReadTicketData(std::string_view text, ban::Ticket& ticket);

}  // namespace portcullis::server
