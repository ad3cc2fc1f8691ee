from coach.ui import team_page

team_page.render()
