from coach.ui import settings_page

settings_page.render()
